import CarbonModel
import Foundation
import GRDB

/// A GHG inventory for one period, for a tenant or for the provider, built from the ledger:
/// totals by scope (scope 2 location- and market-based side by side), by month, product and
/// region, an ISO 14064-1 category view, and the factors behind the figures. One section per
/// result mode: measured and estimated figures are never added together.
struct InventoryReport: Sendable {
    /// Whose inventory: a tenant's (customer layer) or the provider's (data-center layer).
    enum Subject: Sendable, Hashable {
        case tenant(String)
        case provider

        var label: String {
            switch self {
            case .tenant(let name): return "tenant \(name)"
            case .provider: return "provider"
            }
        }
    }

    /// A named line of figures (a month, product, region or ISO category).
    struct Line: Sendable {
        var key: String
        var figures: EmissionFigures
        /// Data-quality shares of the line's location-based total; nil for the provider's
        /// "not allocated to a product" line, which is a difference of cells.
        var quality: QualityShares? = nil
    }

    /// The inventory of one result mode.
    struct Section: Sendable {
        var mode: ResultMode
        var totals: EmissionFigures
        var byMonth: [Line]
        var byProduct: [Line]
        var byRegion: [Line]
        /// Provider only: what no product (site layer) was allocated — included in the totals.
        var unallocated: EmissionFigures?
        /// Data-quality shares of the section's location-based total.
        var quality: QualityShares = .zero
        /// Tenant only: for each tag key its usage carried, the totals split by the key's values
        /// (``TagLedgerStore/breakdown``; usage without the key is `(untagged)`), in key order.
        var byTag: [(key: String, lines: [Line])] = []
    }

    var period: ReportPeriod
    var subject: Subject
    var sections: [Section]
    var factors: [ReportFactor]

    /// ISO 14064-1:2018 categories of a section. The provider's own inventory: category 1
    /// (direct: fuel, refrigerants = scope 1), category 2 (imported energy = scope 2) and
    /// category 4 (products used by the organization: embodied hardware = scope 3). A tenant
    /// buys cloud services, so all of its share falls in category 4; the lines say which
    /// provider scope it comes from.
    func isoCategories(_ section: Section) -> [(category: String, description: String, location: Double, market: Double)] {
        let f = section.totals
        switch subject {
        case .provider:
            return [
                ("1", "Direct GHG emissions and removals (scope 1)", f.scope1, f.scope1),
                ("2", "Indirect GHG emissions from imported energy (scope 2)", f.scope2Location, f.scope2Market),
                ("3", "Indirect GHG emissions from transportation", 0, 0),
                ("4", "Indirect GHG emissions from products used by the organization (embodied hardware, scope 3)", f.scope3, f.scope3),
                ("5", "Indirect GHG emissions associated with the use of products from the organization", 0, 0),
                ("6", "Indirect GHG emissions from other sources", 0, 0),
            ]
        case .tenant:
            return [
                ("1", "Direct GHG emissions and removals", 0, 0),
                ("2", "Indirect GHG emissions from imported energy", 0, 0),
                ("3", "Indirect GHG emissions from transportation", 0, 0),
                ("4", "Indirect GHG emissions from products used by the organization (cloud services)", f.totalLocation, f.totalMarket),
                ("4.a", "  of which the provider's direct emissions (its scope 1)", f.scope1, f.scope1),
                ("4.b", "  of which the provider's purchased energy (its scope 2)", f.scope2Location, f.scope2Market),
                ("4.c", "  of which the provider's embodied hardware (its scope 3)", f.scope3, f.scope3),
                ("5", "Indirect GHG emissions associated with the use of products from the organization", 0, 0),
                ("6", "Indirect GHG emissions from other sources", 0, 0),
            ]
        }
    }

    static let methodology: [String] = [
        "Organisational boundary: the provider's data centres (provider report) or the tenant's share of them (tenant report), following the three-layer model data centre → cloud product → customer.",
        "Scope 1: fuel burnt on site and refrigerant losses, each × its emission factor (refrigerants × GWP-100).",
        "Scope 2 location-based: grid kWh × the grid average factor in force, hour by hour.",
        "Scope 2 market-based: (grid kWh − certificates) × the residual mix, per site and calendar month; certificates beyond a month's consumption are not carried over; without a residual mix the grid factor is used.",
        "Scope 2 market-based, hourly matching (shown beside the monthly figure): certificates count only in the hour they were produced for and only within the site's grid (its market boundary); each hour's uncovered grid kWh × that hour's residual mix; nothing is carried from one hour to another. Carbon-free energy = on-site renewables + the grid kWh certificates of the same hour cover; its share is of all energy.",
        "Scope 3: embodied emissions of hardware, spread evenly over its life in months.",
        "Allocation: site emissions go to products by IT energy; products to tenants by usage (usage basis) or usage ÷ sellable capacity (capacity basis); what is not allocated stays with the provider.",
        "Data quality: hourly grid-electricity meter series are checked per site and month; gaps are filled by linear interpolation between the neighbouring readings and outliers (Hampel window, robust z-score on median/MAD) are flagged and kept. Where a site declares a load profile, grid electricity read over many hours (a monthly reading) is spread over them by the profile and counted as profiled. Each figure states the shares of its location-based total resting on measured, filled, flagged, estimated and profiled data.",
        "Estimated figures (public-cloud estimation mode, Cloud Carbon Footprint coefficients) are reported in their own section and never added to measured figures.",
        "Totals are given both location-based (scope 1 + scope 2 location + scope 3) and market-based (scope 1 + scope 2 market + scope 3). Figures in kg CO2e; energy in kWh.",
    ]
}

/// Builds an `InventoryReport` from the ledger with the same queries `/v1/emissions` answers,
/// so the report's totals are the ledger's.
enum InventoryBuilder {
    static func build(_ db: Database, period: ReportPeriod, subject: InventoryReport.Subject) throws -> InventoryReport {
        var sections: [InventoryReport.Section] = []
        var regions = Set<String>()
        switch subject {
        case .tenant(let tenant):
            let filters: [EmissionsQuery.Dimension: String] = [.tenant: tenant]
            let months = try rows(db, .tenant, [.month], filters, period)
            let products = try rows(db, .tenant, [.product], filters, period)
            let regionRows = try rows(db, .tenant, [.region], filters, period)
            for mode in ResultMode.allCases {
                let mine = { (rows: [EmissionsRow]) in rows.filter { $0.mode == mode } }
                guard !mine(months).isEmpty else { continue }
                var section = InventoryReport.Section(
                    mode: mode, totals: sum(mine(months)), byMonth: lines(mine(months)), byProduct: lines(mine(products)),
                    byRegion: lines(mine(regionRows)), unallocated: nil, quality: quality(mine(months)))
                section.byTag = try tagLines(db, tenant: tenant, period: period, mode: mode)
                sections.append(section)
            }
            regions.formUnion(regionRows.compactMap { $0.group.first?.1 })
        case .provider:
            let months = try rows(db, .site, [.month], [:], period)
            let products = try rows(db, .product, [.product], [:], period)
            let regionRows = try rows(db, .site, [.region], [:], period)
            if !months.isEmpty {
                let totals = sum(months)
                let unallocated = months.reduce(EmissionFigures.zero) { $0 + ($1.unallocated ?? .zero) }
                var byProduct = lines(products)
                // Products plus what no product was allocated add up to the sites' totals.
                byProduct.append(InventoryReport.Line(key: "(not allocated to a product)", figures: unallocated))
                sections.append(
                    InventoryReport.Section(
                        mode: .measured, totals: totals, byMonth: lines(months), byProduct: byProduct, byRegion: lines(regionRows),
                        unallocated: unallocated, quality: quality(months)))
            }
            regions.formUnion(regionRows.compactMap { $0.group.first?.1 })
        }
        let factors = try ReportFactorStore.factors(db, regions: regions.sorted(), first: period.first, last: period.last)
        return InventoryReport(period: period, subject: subject, sections: sections, factors: factors)
    }

    /// The tenant's totals split by each tag key its usage carried in the period.
    private static func tagLines(_ db: Database, tenant: String, period: ReportPeriod, mode: ResultMode) throws
        -> [(key: String, lines: [InventoryReport.Line])]
    {
        let keys = try TagLedgerStore.keys(db, tenant: tenant, from: period.first, to: period.last, mode: mode)
        return try keys.map { key in
            let breakdown = try TagLedgerStore.breakdown(db, tenant: tenant, key: key, from: period.first, to: period.last, mode: mode)
            return (key, breakdown.values.map { InventoryReport.Line(key: $0.value, figures: $0.figures) })
        }
    }

    private static func rows(
        _ db: Database, _ layer: EmissionsQuery.Layer, _ groupBy: [EmissionsQuery.Dimension], _ filters: [EmissionsQuery.Dimension: String],
        _ period: ReportPeriod
    ) throws -> [EmissionsRow] {
        let query = EmissionsQuery(
            layer: layer, groupBy: groupBy, from: period.first, to: period.last, filters: filters, mode: nil, format: .json)
        return try LedgerStore.emissions(db, query: query)
    }

    private static func sum(_ rows: [EmissionsRow]) -> EmissionFigures {
        rows.reduce(EmissionFigures.zero) { $0 + $1.figures }
    }

    /// One line per group value, in the ledger's (sorted) order.
    private static func lines(_ rows: [EmissionsRow]) -> [InventoryReport.Line] {
        rows.map { InventoryReport.Line(key: $0.group.first?.1 ?? "", figures: $0.figures, quality: $0.quality) }
    }

    /// The shares of the rows' summed location-based total: each row's parts (share × its
    /// total) summed, over the summed total.
    private static func quality(_ rows: [EmissionsRow]) -> QualityShares {
        var parts = QualityAmounts.zero
        for row in rows {
            let q = row.quality ?? .allMeasured
            parts += QualityAmounts(measured: q.measured, filled: q.filled, flagged: q.flagged, estimated: q.estimated, profiled: q.profiled)
                .scaled(by: row.figures.totalLocation)
        }
        return parts.shares
    }
}
