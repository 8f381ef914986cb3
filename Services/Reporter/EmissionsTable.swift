import CarbonModel
import Foundation
import GRDB
import ServiceKit

/// One row of an emissions answer: the group's dimension values and its summed figures.
struct EmissionsRow: Sendable {
    var group: [(EmissionsQuery.Dimension, String?)]
    /// The day (`2024-01-31`) or hour (`2024-01-31T05:00:00Z`) of the row, for day/hour granularity.
    var period: String?
    /// Every row holds one mode only: measured and estimated figures are never summed together.
    var mode: ResultMode
    var figures: EmissionFigures
    var unallocated: EmissionFigures?
    var usage: Double?
    /// Shares of `figures.totalLocation` resting on measured, filled, flagged and estimated
    /// data: the summed kg CO2e parts of the cells over the summed total. Monthly rows only.
    var quality: QualityShares?
}

/// Runs an `EmissionsQuery` against the ledger and renders the answer as JSON or CSV.
enum EmissionsTable {
    static func rows(_ db: Database, query: EmissionsQuery) throws -> [EmissionsRow] {
        var conditions = ["layer = ?"]
        var arguments: [any DatabaseValueConvertible] = [query.layer.rawValue]
        if let from = query.from {
            conditions.append("month >= ?")
            arguments.append(from.description)
        }
        if let to = query.to {
            conditions.append("month <= ?")
            arguments.append(to.description)
        }
        for (dimension, value) in query.filters.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            conditions.append("\(dimension.rawValue) = ?")
            arguments.append(value)
        }
        if let mode = query.mode {
            conditions.append("mode = ?")
            arguments.append(mode.rawValue)
        }
        // `mode` is always a grouping column, so no row mixes measured and estimated figures.
        var columns = query.groupBy.map(\.rawValue) + ["mode"]
        let source: String
        switch query.granularity {
        case .month:
            if let asOf = query.asOf {
                source = "(\(asOfSource))"
                arguments.insert(contentsOf: [asOf, asOf, asOf] as [any DatabaseValueConvertible], at: 0)
            } else {
                source = "ledger"
            }
        case .day:
            source = "(\(hourlySource(layer: query.layer)))"
            columns.append("strftime('%Y-%m-%d', hour, 'unixepoch')")
        case .hour:
            source = "(\(hourlySource(layer: query.layer)))"
            columns.append("strftime('%Y-%m-%dT%H:00:00Z', hour, 'unixepoch')")
        }
        let sums = [
            "scope1", "scope2_location", "scope2_market", "scope3", "energy_kwh", "unallocated_scope1", "unallocated_scope2_location",
            "unallocated_scope2_market", "unallocated_scope3", "unallocated_energy_kwh",
        ].map { "SUM(\($0))" } + ["SUM(usage)"]
            + (query.granularity == .month ? ["SUM(quality_filled)", "SUM(quality_flagged)", "SUM(quality_estimated)"] : ["0", "0", "0"])
            + ["scope2_market_hourly", "cfe_kwh", "unallocated_scope2_market_hourly", "unallocated_cfe_kwh"].map { "SUM(\($0))" }
            + [query.granularity == .month ? "SUM(quality_profiled)" : "0"]
            + (query.granularity == .month ? ["SUM(water_l)", "SUM(unallocated_water_l)"] : ["0", "0"])
        let sql = """
            SELECT \((columns + sums).joined(separator: ", ")) FROM \(source)
            WHERE \(conditions.joined(separator: " AND "))
            GROUP BY \(columns.joined(separator: ", "))
            ORDER BY \(columns.joined(separator: ", "))
            """
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
            let n = columns.count
            let hasPeriod = query.granularity != .month
            let mode = (row[query.groupBy.count] as String?).flatMap(ResultMode.init(rawValue:)) ?? .measured
            func value(_ i: Int) -> Double { (row[n + i] as Double?) ?? 0 }
            let figures = EmissionFigures(
                scope1: value(0), scope2Location: value(1), scope2Market: value(2), scope3: value(3), energyKWh: value(4),
                scope2MarketHourly: value(14), cfeKWh: value(15), waterL: value(19))
            let unallocated = EmissionFigures(
                scope1: value(5), scope2Location: value(6), scope2Market: value(7), scope3: value(8), energyKWh: value(9),
                scope2MarketHourly: value(16), cfeKWh: value(17), waterL: value(20))
            return EmissionsRow(
                group: query.groupBy.enumerated().map { ($0.element, row[$0.offset] as String?) },
                period: hasPeriod ? row[n - 1] as String? : nil,
                mode: mode,
                figures: figures,
                unallocated: query.layer.hasUnallocated ? unallocated : nil,
                // Usage is a monthly quantity; hourly rows do not carry it.
                usage: query.layer.hasUsage && !hasPeriod ? value(10) : nil,
                quality: hasPeriod
                    ? nil : shares(total: figures.totalLocation, filled: value(11), flagged: value(12), estimated: value(13), profiled: value(18)))
        }
    }

    /// Shares of `total` from its filled, flagged, estimated and profiled parts; the rest is measured.
    static func shares(total: Double, filled: Double, flagged: Double, estimated: Double, profiled: Double = 0) -> QualityShares {
        QualityAmounts(
            measured: total - filled - flagged - estimated - profiled, filled: filled, flagged: flagged, estimated: estimated,
            profiled: profiled
        ).shares
    }

    /// The ledger as it stood at an instant (three `?`: the instant): current rows of
    /// region-months whose current version was calculated by then, and superseded rows that
    /// were in force then. A region-month first calculated later is absent, as it was then.
    private static let asOfSource = """
        SELECT l.* FROM ledger l JOIN versions v ON v.region = l.region AND v.month = l.month
        WHERE COALESCE(v.calculated_ms, 0) <= ?
        UNION ALL
        SELECT \(DerivedTenantCells.cellColumns(DerivedTenantCells.scopes, qualities: DerivedTenantCells.qualities))
        FROM ledger_superseded WHERE in_force_from_ms <= ? AND in_force_until_ms > ?
        """

    /// Hourly rows shaped like the `ledger` table (plus `hour`), for one layer. Measured tenant
    /// cells are `share × ` their product's hours (E(c,p,r) = share × E(p,r) holds for every
    /// scope, so it holds hour by hour); estimated tenant cells have hours of their own.
    private static func hourlySource(layer: EmissionsQuery.Layer) -> String {
        let scopes = DerivedTenantCells.hourlyScopes
        if layer == .tenant {
            let measured = scopes.map { "t.share * h.\($0) AS \($0)" } + scopes.map { "0 AS unallocated_\($0)" }
            let estimated = scopes + scopes.map { "0 AS unallocated_\($0)" }
            return """
                SELECT 'tenant' AS layer, t.region, t.month, NULL AS site, t.product, t.tenant, t.mode, h.hour, \(measured.joined(separator: ", ")),
                    NULL AS usage
                FROM ledger t JOIN ledger_hourly h
                    ON h.layer = 'product' AND h.part = 'total' AND h.region = t.region AND h.month = t.month AND h.product = t.product
                WHERE t.layer = 'tenant' AND t.mode = 'measured'
                UNION ALL
                SELECT layer, region, month, site, product, tenant, mode, hour, \(estimated.joined(separator: ", ")), NULL AS usage
                FROM ledger_hourly WHERE layer = 'tenant'
                """
        }
        let parts =
            scopes.map { "CASE WHEN part = 'total' THEN \($0) ELSE 0 END AS \($0)" }
            + scopes.map { "CASE WHEN part = 'unallocated' THEN \($0) ELSE 0 END AS unallocated_\($0)" }
        return """
            SELECT layer, region, month, site, product, tenant, mode, hour, \(parts.joined(separator: ", ")), NULL AS usage
            FROM ledger_hourly WHERE layer = '\(layer.rawValue)'
            """
    }

    /// The JSON answer of `GET /v1/emissions`; throws when a figure has no JSON form (a
    /// non-finite number), which the route answers with 500 rather than a misleading `{}`.
    static func json(_ rows: [EmissionsRow], query: EmissionsQuery) throws -> Data {
        var objects: [JSONValue] = []
        objects.reserveCapacity(rows.count)
        for row in rows {
            var object: [String: JSONValue] = [:]
            for (dimension, value) in row.group { object[dimension.rawValue] = .string(value) }
            if let period = row.period { object[query.granularity.rawValue] = .string(period) }
            // Water is a monthly figure; hour and day rows have none.
            let monthly = row.period == nil
            object.merge(figuresObject(row.figures, water: monthly)) { _, new in new }
            object["mode"] = .string(row.mode.rawValue)
            if let unallocated = row.unallocated { object["unallocated"] = .object(figuresObject(unallocated, water: monthly)) }
            if let usage = row.usage { object["usage"] = .number(usage) }
            if let quality = row.quality { object["quality"] = qualityObject(quality) }
            objects.append(.object(object))
        }
        // Totals per mode: a measured and an estimated figure are never added into one number.
        var totals: [ResultMode: EmissionFigures] = [:]
        for row in rows { totals[row.mode, default: .zero] += row.figures }
        var envelope: [String: JSONValue] = [
            "layer": .string(query.layer.rawValue),
            "group_by": .array(query.groupBy.map { .string($0.rawValue) }),
            "rows": .array(objects),
            "totals": .object(
                Dictionary(uniqueKeysWithValues: totals.map { ($0.key.rawValue, .object(figuresObject($0.value, water: query.granularity == .month))) })),
        ]
        if query.granularity != .month { envelope["granularity"] = .string(query.granularity.rawValue) }
        if let from = query.from { envelope["from"] = .string(from.description) }
        if let to = query.to { envelope["to"] = .string(to.description) }
        if let asOf = query.asOf { envelope["as_of_ms"] = .integer(asOf) }
        return try JSONValue.object(envelope).encoded()
    }

    static func csv(_ rows: [EmissionsRow], query: EmissionsQuery) -> Data {
        var header = query.groupBy.map(\.rawValue)
        if query.granularity != .month { header.append(query.granularity.rawValue) }
        header += ["scope1", "scope2_location", "scope2_market", "scope3", "total_location", "total_market", "energy_kwh", "mode"]
        if query.layer.hasUsage && query.granularity == .month { header.append("usage") }
        if query.layer.hasUnallocated {
            header += [
                "unallocated_scope1", "unallocated_scope2_location", "unallocated_scope2_market", "unallocated_scope3",
                "unallocated_total_location", "unallocated_total_market", "unallocated_energy_kwh",
            ]
        }
        if query.granularity == .month { header += ["quality_measured", "quality_filled", "quality_flagged", "quality_estimated"] }
        // The hourly method and the carbon-free energy, last so that readers of the earlier columns are undisturbed.
        header += ["scope2_market_hourly", "total_market_hourly", "cfe_kwh", "cfe_share"]
        // The profiled share came after them, and goes after them for the same reason.
        if query.granularity == .month { header.append("quality_profiled") }
        // Water is monthly: hour and day rows have no water column.
        if query.granularity == .month { header.append("water_l") }
        if query.granularity == .month, query.layer.hasUnallocated { header.append("unallocated_water_l") }
        var lines = [header.joined(separator: ",")]
        for row in rows {
            // Group values are names from tenants and the provider: text, neutralized by CSVCell.
            var cells = row.group.map { CSVCell.text($0.1 ?? "") }
            if let period = row.period { cells.append(.text(period)) }
            cells += numbers(row.figures) + [.text(row.mode.rawValue)]
            if let usage = row.usage { cells.append(.number(usage)) }
            if let unallocated = row.unallocated { cells += numbers(unallocated) }
            if let q = row.quality { cells += [q.measured, q.filled, q.flagged, q.estimated].map(CSVCell.number) }
            let f = row.figures
            cells += [f.scope2MarketHourly, f.totalMarketHourly, f.cfeKWh, f.cfeShare].map(CSVCell.number)
            if let q = row.quality { cells.append(.number(q.profiled)) }
            if row.period == nil {
                cells.append(.number(f.waterL))
                if let unallocated = row.unallocated { cells.append(.number(unallocated.waterL)) }
            }
            lines.append(CSVCell.line(cells))
        }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }

    static func figuresObject(_ f: EmissionFigures, water: Bool = true) -> [String: JSONValue] {
        var object: [String: JSONValue] = [
            "scope1": .number(f.scope1), "scope2_location": .number(f.scope2Location), "scope2_market": .number(f.scope2Market),
            "scope3": .number(f.scope3), "total_location": .number(f.totalLocation), "total_market": .number(f.totalMarket),
            "energy_kwh": .number(f.energyKWh), "scope2_market_hourly": .number(f.scope2MarketHourly),
            "total_market_hourly": .number(f.totalMarketHourly), "cfe_kwh": .number(f.cfeKWh), "cfe_share": .number(f.cfeShare),
        ]
        if water { object["water_l"] = .number(f.waterL) }
        return object
    }

    static func qualityObject(_ q: QualityShares) -> JSONValue {
        .object(["measured": .number(q.measured), "filled": .number(q.filled), "flagged": .number(q.flagged), "estimated": .number(q.estimated),
            "profiled": .number(q.profiled),
        ])
    }

    private static func numbers(_ f: EmissionFigures) -> [CSVCell] {
        [f.scope1, f.scope2Location, f.scope2Market, f.scope3, f.totalLocation, f.totalMarket, f.energyKWh].map(CSVCell.number)
    }
}
