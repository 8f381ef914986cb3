import CarbonModel
import Foundation
import GRDB

extension LedgerStore {
    /// The answer of an `EmissionsQuery`: the ledger's rows of one layer (monthly, as they stood
    /// at an instant, or hour by hour) summed per group, sorted by the group's values.
    static func emissions(_ db: Database, query: EmissionsQuery) throws -> [EmissionsRow] {
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
        // Hour and day rows are grouped by their period too (the last grouping expression).
        let period: String?
        let source: String
        switch query.granularity {
        case .month:
            period = nil
            if let asOf = query.asOf {
                source = "(\(asOfSource))"
                arguments.insert(contentsOf: [asOf, asOf, asOf] as [any DatabaseValueConvertible], at: 0)
            } else {
                source = "ledger"
            }
        case .day:
            period = "strftime('%Y-%m-%d', hour, 'unixepoch')"
            source = "(\(hourlySource(layer: query.layer)))"
        case .hour:
            period = "strftime('%Y-%m-%dT%H:00:00Z', hour, 'unixepoch')"
            source = "(\(hourlySource(layer: query.layer)))"
        }
        let hasPeriod = period != nil
        let grouping = query.groupBy.map(\.rawValue) + ["mode"] + (period.map { [$0] } ?? [])
        // Each column read back by its name.
        let selected = query.groupBy.map(\.rawValue) + ["mode"] + (period.map { ["\($0) AS period"] } ?? [])
        let sums = SummedColumn.all.filter { !hasPeriod || !$0.monthly }.map { "SUM(\($0.name)) AS \($0.alias)" }
        // Raw SQL because the query is an aggregate built per request: the grouping columns, the
        // sums and the source (the ledger, the ledger as of an instant, or its hours) vary.
        let sql = """
            SELECT \((selected + sums).joined(separator: ", ")) FROM \(source)
            WHERE \(conditions.joined(separator: " AND "))
            GROUP BY \(grouping.joined(separator: ", "))
            ORDER BY \(grouping.joined(separator: ", "))
            """
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
            // A column hour and day rows do not have (quality, water) reads as 0 and is not shown.
            func sum(_ name: String) -> Double { (row[SummedColumn.alias(of: name)] as Double?) ?? 0 }
            let figures = EmissionFigures(
                scope1: sum("scope1"), scope2Location: sum("scope2_location"), scope2Market: sum("scope2_market"), scope3: sum("scope3"),
                energyKWh: sum("energy_kwh"), scope2MarketHourly: sum("scope2_market_hourly"), cfeKWh: sum("cfe_kwh"), waterL: sum("water_l"))
            let unallocated = EmissionFigures(
                scope1: sum("unallocated_scope1"), scope2Location: sum("unallocated_scope2_location"),
                scope2Market: sum("unallocated_scope2_market"), scope3: sum("unallocated_scope3"), energyKWh: sum("unallocated_energy_kwh"),
                scope2MarketHourly: sum("unallocated_scope2_market_hourly"), cfeKWh: sum("unallocated_cfe_kwh"), waterL: sum("unallocated_water_l"))
            return EmissionsRow(
                group: query.groupBy.map { ($0, row[$0.rawValue] as String?) },
                period: hasPeriod ? row["period"] as String? : nil,
                mode: (row["mode"] as String?).flatMap(ResultMode.init(rawValue:)) ?? .measured,
                figures: figures,
                unallocated: query.layer.hasUnallocated ? unallocated : nil,
                // Usage is a monthly quantity; hourly rows do not carry it.
                usage: query.layer.hasUsage && !hasPeriod ? sum("usage") : nil,
                quality: hasPeriod
                    ? nil
                    : EmissionsTable.shares(
                        total: figures.totalLocation, filled: sum("quality_filled"), flagged: sum("quality_flagged"),
                        estimated: sum("quality_estimated"), profiled: sum("quality_profiled")))
        }
    }

    /// A figure column an emissions query sums per group. `monthly`: only the monthly ledger has
    /// it (data-quality parts and water are monthly quantities; the hourly sources lack them).
    private struct SummedColumn {
        let name: String
        let monthly: Bool

        var alias: String { Self.alias(of: name) }
        static func alias(of name: String) -> String { "sum_\(name)" }

        static let all: [SummedColumn] =
            [
                "scope1", "scope2_location", "scope2_market", "scope3", "energy_kwh", "scope2_market_hourly", "cfe_kwh",
                "unallocated_scope1", "unallocated_scope2_location", "unallocated_scope2_market", "unallocated_scope3",
                "unallocated_energy_kwh", "unallocated_scope2_market_hourly", "unallocated_cfe_kwh", "usage",
            ].map { SummedColumn(name: $0, monthly: false) }
            + ["quality_filled", "quality_flagged", "quality_estimated", "quality_profiled", "water_l", "unallocated_water_l"]
            .map { SummedColumn(name: $0, monthly: true) }
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
}
