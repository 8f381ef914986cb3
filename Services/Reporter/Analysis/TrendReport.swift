import CarbonModel
import Foundation
import GRDB

/// `GET /v1/analysis`: monthly trend with month-over-month and year-over-year change, top
/// contributors and intensity, for a tenant (customer layer) or the provider (site and product
/// layers), over one result mode and one total (location- or market-based).
struct TrendReport: Sendable {
    enum Basis: String, Sendable { case location, market }

    var tenant: String?
    var from: CalendarMonth
    var to: CalendarMonth
    var mode: ResultMode
    var basis: Basis
    var top: Int

    struct Invalid: Error, Sendable {
        var parameter: String
        var message: String
    }

    static func parse(_ parameters: [String: String]) throws(Invalid) -> TrendReport {
        guard let fromText = parameters["from"], let from = CalendarMonth(fromText) else {
            throw Invalid(parameter: "from", message: "expected a month like 2024-01")
        }
        guard let toText = parameters["to"], let to = CalendarMonth(toText) else { throw Invalid(parameter: "to", message: "expected a month like 2024-06") }
        guard from <= to else { throw Invalid(parameter: "to", message: "\"to\" is before \"from\"") }
        var mode = ResultMode.measured
        if let text = parameters["mode"], !text.isEmpty {
            guard let parsed = ResultMode(rawValue: text) else { throw Invalid(parameter: "mode", message: "use measured or estimated") }
            mode = parsed
        }
        var basis = Basis.location
        if let text = parameters["basis"], !text.isEmpty {
            guard let parsed = Basis(rawValue: text) else { throw Invalid(parameter: "basis", message: "use location or market") }
            basis = parsed
        }
        var top = 5
        if let text = parameters["top"], !text.isEmpty {
            guard let parsed = Int(text), parsed > 0 else { throw Invalid(parameter: "top", message: "a positive whole number") }
            top = parsed
        }
        let tenant = parameters["tenant"].flatMap { $0.isEmpty ? nil : $0 }
        return TrendReport(tenant: tenant, from: from, to: to, mode: mode, basis: basis, top: top)
    }

    func total(_ f: EmissionFigures) -> Double { basis == .location ? f.totalLocation : f.totalMarket }

    /// The analysis as a JSON object (sorted keys on output).
    func run(_ db: Database) throws -> [String: Any] {
        let filters: [EmissionsQuery.Dimension: String] = tenant.map { [.tenant: $0] } ?? [:]
        let layer: EmissionsQuery.Layer = tenant == nil ? .site : .tenant
        // A year before `from`, so that year-over-year change is known for every month.
        let monthly = try rows(db, layer, [.month], filters, from.adding(months: -12), to)
        var values: [CalendarMonth: Double] = [:]
        for row in monthly { if let text = row.group.first?.1, let month = CalendarMonth(text) { values[month] = total(row.figures) } }
        let points = MonthlyTrend.points(values, from: from, to: to)
        let trend: [[String: Any]] = points.map { point in
            [
                "month": point.month.description, "kgco2e": point.value,
                "mom_change": point.monthOverMonth ?? NSNull(), "mom_change_percent": point.monthOverMonthPercent ?? NSNull(),
                "yoy_change": point.yearOverYear ?? NSNull(), "yoy_change_percent": point.yearOverYearPercent ?? NSNull(),
            ]
        }
        let productLayer: EmissionsQuery.Layer = tenant == nil ? .product : .tenant
        let products = try rows(db, productLayer, [.product], filters, from, to)
        let regions = try rows(db, layer, [.region], filters, from, to)
        var contributors: [String: Any] = [
            "product": ranked(products), "region": ranked(regions),
        ]
        if tenant == nil { contributors["tenant"] = try ranked(rows(db, .tenant, [.tenant], [:], from, to)) }
        let intensity: [[String: Any]] = products.map { row in
            let kg = total(row.figures)
            let usage = row.usage ?? 0
            let perUnit = Intensity.per(kg, usage)
            return [
                "product": row.group.first?.1 ?? "", "kgco2e": kg, "usage": usage,
                "kgco2e_per_usage_unit": perUnit ?? NSNull(),
                "kgco2e_per_usage_unit_month": perUnit.map { $0 * 730 } ?? NSNull(),
            ]
        }
        var answer: [String: Any] = [
            "from": from.description, "to": to.description, "mode": mode.rawValue, "basis": basis.rawValue, "unit": "kgCO2e",
            "trend": trend, "top_contributors": contributors, "intensity": intensity,
            "total": points.reduce(0) { $0 + $1.value },
            "notes": [
                "Totals are \(basis.rawValue)-based (scope 1 + scope 2 \(basis.rawValue) + scope 3) of \(mode.rawValue) results.",
                "Intensity is emissions ÷ usage in the product's declared unit (e.g. kg per vCPU-h); the _month figure multiplies by 730 h so an hour-based unit (GB-h) reads per unit-month (GB-month).",
            ],
        ]
        if let tenant { answer["tenant"] = tenant }
        return answer
    }

    private func ranked(_ rows: [EmissionsRow]) -> [[String: Any]] {
        var values: [String: Double] = [:]
        for row in rows { values[row.group.first?.1 ?? "", default: 0] += total(row.figures) }
        return TopContributors.rank(values, limit: top).map { ["name": $0.name, "kgco2e": $0.value, "share_percent": $0.sharePercent] }
    }

    private func rows(
        _ db: Database, _ layer: EmissionsQuery.Layer, _ groupBy: [EmissionsQuery.Dimension], _ filters: [EmissionsQuery.Dimension: String],
        _ first: CalendarMonth, _ last: CalendarMonth
    ) throws -> [EmissionsRow] {
        try EmissionsTable.rows(
            db, query: EmissionsQuery(layer: layer, groupBy: groupBy, from: first, to: last, filters: filters, mode: mode, format: .json))
    }
}
