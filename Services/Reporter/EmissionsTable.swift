import CarbonModel
import Foundation
import GRDB

/// One row of an emissions answer: the group's dimension values and its summed figures.
struct EmissionsRow: Sendable {
    var group: [(EmissionsQuery.Dimension, String?)]
    /// Every row holds one mode only: measured and estimated figures are never summed together.
    var mode: ResultMode
    var figures: EmissionFigures
    var unallocated: EmissionFigures?
    var usage: Double?
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
        let columns = query.groupBy.map(\.rawValue) + ["mode"]
        let sums = [
            "scope1", "scope2_location", "scope2_market", "scope3", "energy_kwh", "unallocated_scope1", "unallocated_scope2_location",
            "unallocated_scope2_market", "unallocated_scope3", "unallocated_energy_kwh",
        ].map { "SUM(\($0))" } + ["SUM(usage)"]
        let sql = """
            SELECT \((columns + sums).joined(separator: ", ")) FROM ledger
            WHERE \(conditions.joined(separator: " AND "))
            GROUP BY \(columns.joined(separator: ", "))
            ORDER BY \(columns.joined(separator: ", "))
            """
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
            let n = columns.count
            let mode = (row[n - 1] as String?).flatMap(ResultMode.init(rawValue:)) ?? .measured
            func value(_ i: Int) -> Double { (row[n + i] as Double?) ?? 0 }
            let figures = EmissionFigures(scope1: value(0), scope2Location: value(1), scope2Market: value(2), scope3: value(3), energyKWh: value(4))
            let unallocated = EmissionFigures(scope1: value(5), scope2Location: value(6), scope2Market: value(7), scope3: value(8), energyKWh: value(9))
            return EmissionsRow(
                group: query.groupBy.enumerated().map { ($0.element, row[$0.offset] as String?) },
                mode: mode,
                figures: figures,
                unallocated: query.layer.hasUnallocated ? unallocated : nil,
                usage: query.layer.hasUsage ? value(10) : nil)
        }
    }

    static func json(_ rows: [EmissionsRow], query: EmissionsQuery) -> Data {
        var objects: [[String: Any]] = []
        for row in rows {
            var object: [String: Any] = [:]
            for (dimension, value) in row.group { object[dimension.rawValue] = value ?? NSNull() }
            object.merge(figuresObject(row.figures)) { _, new in new }
            object["mode"] = row.mode.rawValue
            if let unallocated = row.unallocated { object["unallocated"] = figuresObject(unallocated) }
            if let usage = row.usage { object["usage"] = usage }
            objects.append(object)
        }
        // Totals per mode: a measured and an estimated figure are never added into one number.
        var totals: [ResultMode: EmissionFigures] = [:]
        for row in rows { totals[row.mode, default: .zero] += row.figures }
        var envelope: [String: Any] = [
            "layer": query.layer.rawValue,
            "group_by": query.groupBy.map(\.rawValue),
            "rows": objects,
            "totals": Dictionary(uniqueKeysWithValues: totals.map { ($0.key.rawValue, figuresObject($0.value)) }),
        ]
        if let from = query.from { envelope["from"] = from.description }
        if let to = query.to { envelope["to"] = to.description }
        return (try? JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
    }

    static func csv(_ rows: [EmissionsRow], query: EmissionsQuery) -> Data {
        var header = query.groupBy.map(\.rawValue)
        header += ["scope1", "scope2_location", "scope2_market", "scope3", "total_location", "total_market", "energy_kwh", "mode"]
        if query.layer.hasUsage { header.append("usage") }
        if query.layer.hasUnallocated {
            header += [
                "unallocated_scope1", "unallocated_scope2_location", "unallocated_scope2_market", "unallocated_scope3",
                "unallocated_total_location", "unallocated_total_market", "unallocated_energy_kwh",
            ]
        }
        var lines = [header.joined(separator: ",")]
        for row in rows {
            var cells = row.group.map { escape($0.1 ?? "") }
            cells += numbers(row.figures) + [row.mode.rawValue]
            if let usage = row.usage { cells.append(number(usage)) }
            if let unallocated = row.unallocated { cells += numbers(unallocated) }
            lines.append(cells.joined(separator: ","))
        }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }

    private static func figuresObject(_ f: EmissionFigures) -> [String: Any] {
        [
            "scope1": f.scope1, "scope2_location": f.scope2Location, "scope2_market": f.scope2Market, "scope3": f.scope3,
            "total_location": f.totalLocation, "total_market": f.totalMarket, "energy_kwh": f.energyKWh,
        ]
    }

    private static func numbers(_ f: EmissionFigures) -> [String] {
        [f.scope1, f.scope2Location, f.scope2Market, f.scope3, f.totalLocation, f.totalMarket, f.energyKWh].map(number)
    }

    private static func number(_ value: Double) -> String { "\(value)" }

    private static func escape(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
