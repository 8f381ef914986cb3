import CarbonModel
import Foundation
import GRDB
import Hummingbird
import ServiceKit

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

    /// The analysis of the period.
    func run(_ db: Database) throws -> TrendAnalysis {
        let filters: [EmissionsQuery.Dimension: String] = tenant.map { [.tenant: $0] } ?? [:]
        let layer: EmissionsQuery.Layer = tenant == nil ? .site : .tenant
        // A year before `from`, so that year-over-year change is known for every month.
        let monthly = try rows(db, layer, [.month], filters, from.adding(months: -12), to)
        var values: [CalendarMonth: Double] = [:]
        for row in monthly { if let text = row.group.first?.1, let month = CalendarMonth(text) { values[month] = total(row.figures) } }
        let points = MonthlyTrend.points(values, from: from, to: to)
        let trend = points.map { point in
            TrendAnalysis.TrendPoint(
                month: point.month.description, kgco2e: point.value, momChange: point.monthOverMonth, momChangePercent: point.monthOverMonthPercent,
                yoyChange: point.yearOverYear, yoyChangePercent: point.yearOverYearPercent)
        }
        let productLayer: EmissionsQuery.Layer = tenant == nil ? .product : .tenant
        let products = try rows(db, productLayer, [.product], filters, from, to)
        let regions = try rows(db, layer, [.region], filters, from, to)
        var contributors: [String: [TrendAnalysis.Contributor]] = ["product": ranked(products), "region": ranked(regions)]
        if tenant == nil { contributors["tenant"] = try ranked(rows(db, .tenant, [.tenant], [:], from, to)) }
        let intensity = products.map { row in
            let kg = total(row.figures)
            let usage = row.usage ?? 0
            let perUnit = Intensity.per(kg, usage)
            return TrendAnalysis.ProductIntensity(
                product: row.group.first?.1 ?? "", kgco2e: kg, usage: usage, perUsageUnit: perUnit, perUsageUnitMonth: perUnit.map { $0 * 730 })
        }
        return TrendAnalysis(
            tenant: tenant, from: from.description, to: to.description, mode: mode.rawValue, basis: basis.rawValue, trend: trend,
            topContributors: contributors, intensity: intensity, total: points.reduce(0) { $0 + $1.value },
            notes: [
                "Totals are \(basis.rawValue)-based (scope 1 + scope 2 \(basis.rawValue) + scope 3) of \(mode.rawValue) results.",
                "Intensity is emissions ÷ usage in the product's declared unit (e.g. kg per vCPU-h); the _month figure multiplies by 730 h so an hour-based unit (GB-h) reads per unit-month (GB-month).",
            ])
    }

    private func ranked(_ rows: [EmissionsRow]) -> [TrendAnalysis.Contributor] {
        var values: [String: Double] = [:]
        for row in rows { values[row.group.first?.1 ?? "", default: 0] += total(row.figures) }
        return TopContributors.rank(values, limit: top).map { TrendAnalysis.Contributor(name: $0.name, kgco2e: $0.value, sharePercent: $0.sharePercent) }
    }

    private func rows(
        _ db: Database, _ layer: EmissionsQuery.Layer, _ groupBy: [EmissionsQuery.Dimension], _ filters: [EmissionsQuery.Dimension: String],
        _ first: CalendarMonth, _ last: CalendarMonth
    ) throws -> [EmissionsRow] {
        try LedgerStore.emissions(
            db, query: EmissionsQuery(layer: layer, groupBy: groupBy, from: first, to: last, filters: filters, mode: mode, format: .json))
    }
}

/// The body of `GET /v1/analysis`: the monthly trend with month-over-month and year-over-year
/// changes, the top contributors by product, region (and tenant, for the provider), and each
/// product's intensity per unit of usage.
struct TrendAnalysis: ResponseEncodable, Sendable {
    struct TrendPoint: Encodable, Sendable {
        var month: String
        var kgco2e: Double
        @ExplicitNull var momChange: Double?
        @ExplicitNull var momChangePercent: Double?
        @ExplicitNull var yoyChange: Double?
        @ExplicitNull var yoyChangePercent: Double?
        enum CodingKeys: String, CodingKey {
            case month, kgco2e
            case momChange = "mom_change", momChangePercent = "mom_change_percent", yoyChange = "yoy_change", yoyChangePercent = "yoy_change_percent"
        }
    }
    struct Contributor: Encodable, Sendable {
        var name: String
        var kgco2e: Double
        var sharePercent: Double
        enum CodingKeys: String, CodingKey {
            case name, kgco2e
            case sharePercent = "share_percent"
        }
    }
    struct ProductIntensity: Encodable, Sendable {
        var product: String
        var kgco2e: Double
        var usage: Double
        @ExplicitNull var perUsageUnit: Double?
        @ExplicitNull var perUsageUnitMonth: Double?
        enum CodingKeys: String, CodingKey {
            case product, kgco2e, usage
            case perUsageUnit = "kgco2e_per_usage_unit", perUsageUnitMonth = "kgco2e_per_usage_unit_month"
        }
    }
    /// Present only for a tenant's analysis.
    var tenant: String?
    var from: String
    var to: String
    var mode: String
    var basis: String
    var unit = "kgCO2e"
    var trend: [TrendPoint]
    var topContributors: [String: [Contributor]]
    var intensity: [ProductIntensity]
    var total: Double
    var notes: [String]

    enum CodingKeys: String, CodingKey {
        case tenant, from, to, mode, basis, unit, trend, intensity, total, notes
        case topContributors = "top_contributors"
    }
}
