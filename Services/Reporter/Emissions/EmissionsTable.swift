import CarbonModel
import Foundation
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

/// Renders the answer of an `EmissionsQuery` (``LedgerStore/emissions(_:query:)``) as JSON or CSV.
enum EmissionsTable {
    /// Shares of `total` from its filled, flagged, estimated and profiled parts; the rest is measured.
    static func shares(total: Double, filled: Double, flagged: Double, estimated: Double, profiled: Double = 0) -> QualityShares {
        QualityAmounts(
            measured: total - filled - flagged - estimated - profiled, filled: filled, flagged: flagged, estimated: estimated,
            profiled: profiled
        ).shares
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
