import CarbonModel
import Foundation
import GRDB

/// Everything one dashboard page shows, read from the reporter's own store in one read
/// transaction (so the figures agree with each other): a tenant's totals, monthly trend,
/// breakdowns, targets, budgets, alerts and data-quality shares, or the provider's sites, products,
/// tenants and what was not allocated. Built with the same queries as `/v1/emissions`,
/// `/v1/analysis`, `/v1/targets` and `/v1/budgets`, then rendered by `DashboardHTML`.
struct DashboardView: Sendable {
    /// Whose page: one tenant's (customer layer), or the provider's (site and product layers).
    enum Subject: Sendable, Hashable {
        case tenant(String)
        case provider

        var isProvider: Bool { self == .provider }
    }

    /// A named line: a product, region, site or tenant, with its figures per result mode.
    struct Line: Sendable {
        var name: String
        var mode: ResultMode
        var figures: EmissionFigures
        var unallocated: EmissionFigures?
        var usage: Double?
        /// Data-quality shares of `figures.totalLocation`, as `/v1/emissions` answers them for the
        /// same group (nil for tag lines, which the ledger's quality parts do not reach).
        var quality: QualityShares? = nil
    }

    /// A month of a budget: the budget, the actual (months with results) or the forecast.
    struct BudgetLine: Sendable {
        var tenant: String
        var month: CalendarMonth
        var budget: Double
        var actual: Double?
        var forecast: Double?
    }

    /// A tenant's reduction target and its progress.
    struct TargetLine: Sendable {
        var tenant: String
        var progress: TargetProgress
    }

    /// A site of the provider view with the PUE of its latest month that has one.
    struct SiteLine: Sendable {
        var site: String
        var region: String
        var figures: EmissionFigures
        var unallocated: EmissionFigures
        var pue: Double?
        var pueMonth: String?
        /// Data-quality shares of the site's location-based total over the window.
        var quality: QualityShares
    }

    var subject: Subject
    var from: CalendarMonth
    var to: CalendarMonth
    /// Totals per result mode: measured and estimated are never added together.
    var totals: [ResultMode: EmissionFigures]
    /// Location-based total of measured results, per month of the window (zeros where none).
    var trend: [TrendPoint]
    /// Stacked parts of the measured trend per month: scope 1, scope 2 location, scope 3.
    var trendScopes: [CalendarMonth: EmissionFigures]
    /// The last month of the window hour by hour: the average measured location-based
    /// emissions of each UTC hour of the day (24 values); nil when that month has no hours.
    var hourlyProfile: (month: CalendarMonth, hours: [Double])? = nil

    /// The carbon-free share of each hour of a month, days × 24 (nil for an hour without energy),
    /// of the subject as a whole or of one of the provider's sites.
    struct CFEHeatMap: Sendable {
        var month: CalendarMonth
        var shares: [[Double?]]
        /// The site the map is of; nil: the subject's whole (every site, or the tenant).
        var site: String? = nil
    }

    /// The provider's site whose heat map was asked for (`?site=`), whether or not it has hours.
    var heatMapSite: String? = nil

    /// The last month of the window: each hour's carbon-free share; nil when it has no hours.
    var cfeHeatMap: CFEHeatMap? = nil

    /// A tenant view with a reduction target: each trend month's twelfth of the target path's
    /// level for its year (the straight line from the baseline to the target), else nil.
    var trendReference: [Double]? {
        guard case .tenant(let tenant) = subject, let target = targets.first(where: { $0.tenant == tenant })?.progress else { return nil }
        return trend.map { point in
            TargetProgress.evaluate(
                baselineYear: target.baselineYear, baseline: target.baseline, targetYear: target.targetYear,
                reductionPercent: target.reductionPercent, year: point.month.year, emissions: 0
            ).pathEmissions / 12
        }
    }
    var byProduct: [Line]
    var byRegion: [Line]
    var targets: [TargetLine]
    var budgets: [BudgetLine]
    var alerts: [BudgetAlert]
    /// What the totals rest on, per result mode: the shares of the window's location-based
    /// total resting on measured, filled, flagged and estimated data, from the same query as
    /// `/v1/emissions` grouped by the subject (the ledger's summed quality parts over the summed
    /// total). Measured and estimated results keep separate shares, as they keep separate totals.
    var quality: [ResultMode: QualityShares]
    // Provider view.
    var sites: [SiteLine] = []
    /// The provider view: each site's data-centre indicators over the window (docs/model.md §21).
    var indicators: [(site: String, indicators: SiteIndicators)] = []
    /// The provider view: the PUE and WUE targets of the window's last year, with progress and alerts.
    var indicatorTargets: [IndicatorTargetStatus] = []
    var tenants: [Line] = []
    /// A business metric's intensity over the window: kg CO2e (measured, location-based) per unit.
    struct IntensityLine: Sendable {
        var metric: String
        var unit: String
        var emissions: Double
        var value: Double
        var intensity: Double
    }

    /// Tenant view: each business metric the tenant uploaded, over the months that have a value.
    var intensities: [IntensityLine] = []

    /// A tenant's figures by the values of one tag key (``TagLedgerStore``), measured and
    /// estimated lines apart.
    struct TagLines: Sendable {
        var key: String
        var lines: [Line]
    }

    /// Tenant view only: one breakdown per tag key its usage carried in the months shown.
    var tagBreakdowns: [TagLines] = []
    /// The forecast method of the budgets' forecasts (the reporter's `--forecast-method`).
    var forecastMethod: EmissionForecast.Method = .linearTrend
    /// Tenants a provider principal may open the tenant view of.
    var tenantNames: [String] = []

    /// The months shown when none are asked for: up to twelve, ending with the latest month in
    /// which the subject has activity — energy, fuel, refrigerant, usage: any figure but scope 3
    /// — and starting no earlier than its first (the current month when there are none). Months
    /// after it that hold only amortized hardware (years of them, for servers bought last month)
    /// stay queryable with `to=`, but a view does not open on them.
    static func defaultWindow(_ db: Database, subject: Subject) throws -> (CalendarMonth, CalendarMonth) {
        let span: ActivityWindow.Span
        switch subject {
        case .tenant(let name): span = try ActivityWindow.span(db, tenant: name)
        case .provider: span = try ActivityWindow.span(db, tenant: nil)
        }
        let now = CalendarMonth(containing: Int64(Date().timeIntervalSince1970))
        let latest = span.active ?? span.last ?? now
        let first = span.first ?? latest
        return (max(first, latest.adding(months: -11)), latest)
    }

    static func load(
        _ db: Database, subject: Subject, from: CalendarMonth, to: CalendarMonth, method: EmissionForecast.Method = .linearTrend,
        heatMapSite: String? = nil
    ) throws -> DashboardView {
        let filters: [EmissionsQuery.Dimension: String]
        let layer: EmissionsQuery.Layer
        let productLayer: EmissionsQuery.Layer
        switch subject {
        case .tenant(let name):
            filters = [.tenant: name]
            layer = .tenant
            productLayer = .tenant
        case .provider:
            filters = [:]
            layer = .site
            productLayer = .product
        }
        func rows(_ layer: EmissionsQuery.Layer, _ groupBy: [EmissionsQuery.Dimension], _ filters: [EmissionsQuery.Dimension: String])
            throws -> [EmissionsRow]
        {
            try LedgerStore.emissions(db, query: EmissionsQuery(layer: layer, groupBy: groupBy, from: from, to: to, filters: filters, format: .json))
        }
        func lines(_ rows: [EmissionsRow]) -> [Line] {
            rows.map {
                Line(
                    name: $0.group.first?.1 ?? "—", mode: $0.mode, figures: $0.figures, unallocated: $0.unallocated, usage: $0.usage,
                    quality: $0.quality)
            }
            .sorted { ($0.mode.rawValue, -$0.figures.totalLocation, $0.name) < ($1.mode.rawValue, -$1.figures.totalLocation, $1.name) }
        }

        // Totals: one row per mode (the site layer's totals include what no product was given).
        var totals: [ResultMode: EmissionFigures] = [:]
        for row in try rows(layer, [.month], filters) { totals[row.mode, default: .zero] += row.figures }

        var monthly: [CalendarMonth: Double] = [:]
        var scopes: [CalendarMonth: EmissionFigures] = [:]
        for row in try rows(layer, [.month], filters) where row.mode == .measured {
            guard let text = row.group.first?.1, let month = CalendarMonth(text) else { continue }
            monthly[month, default: 0] += row.figures.totalLocation
            scopes[month, default: .zero] += row.figures
        }
        let trend = MonthlyTrend.points(monthly, from: from, to: to)

        let byProduct = lines(try rows(productLayer, [.product], filters))
        let byRegion = lines(try rows(layer, [.region], filters))

        // The shares of the totals: one row per mode over all of the subject's cells in the
        // window. A tenant's is `/v1/emissions?layer=tenant&tenant=…&group_by=tenant`; the
        // provider's sums every site cell (no dimension grouped, so one row per mode).
        let subjectGroup: [EmissionsQuery.Dimension]
        switch subject {
        case .tenant: subjectGroup = [.tenant]
        case .provider: subjectGroup = []
        }
        var quality: [ResultMode: QualityShares] = [:]
        for row in try rows(layer, subjectGroup, filters) { quality[row.mode] = row.quality }

        var view = DashboardView(
            subject: subject, from: from, to: to, totals: totals, trend: trend, trendScopes: scopes, byProduct: byProduct, byRegion: byRegion,
            targets: [], budgets: [], alerts: [], quality: quality)

        let tenant: String?
        switch subject {
        case .tenant(let name): tenant = name
        case .provider: tenant = nil
        }
        // One read of the month's hours feeds both the hourly profile and the carbon-free heat map.
        let hours = try LedgerStore.emissions(
            db, query: EmissionsQuery(layer: layer, groupBy: [], from: to, to: to, filters: filters, mode: .measured, granularity: .hour, format: .json))
        view.hourlyProfile = hourlyProfile(hours, month: to)
        if case .provider = subject, let site = heatMapSite {
            // One site's hours: the site layer filtered to it.
            view.heatMapSite = site
            var siteFilters = filters
            siteFilters[.site] = site
            let siteHours = try LedgerStore.emissions(
                db,
                query: EmissionsQuery(
                    layer: .site, groupBy: [], from: to, to: to, filters: siteFilters, mode: .measured, granularity: .hour, format: .json))
            view.cfeHeatMap = cfeHeatMap(siteHours, month: to)
            view.cfeHeatMap?.site = site
        } else {
            view.cfeHeatMap = cfeHeatMap(hours, month: to)
        }
        view.targets = try targets(db, tenant: tenant)
        view.budgets = try budgets(db, tenant: tenant, method: method)
        view.forecastMethod = method
        view.alerts = try ManagementStore.alerts(db, tenant: tenant)

        if let tenant {
            var values: [String: (unit: String, months: [CalendarMonth: Double])] = [:]
            for m in try BusinessMetricStore.list(db, tenant: tenant, metric: nil) {
                guard let month = CalendarMonth(m.month), month >= from, month <= to else { continue }
                values[m.metric, default: (m.unit, [:])].months[month] = m.value
            }
            for (metric, entry) in values.sorted(by: { $0.key < $1.key }) {
                let months = BusinessIntensity.months(emissions: monthly, values: entry.months, from: from, to: to)
                if let period = BusinessIntensity.period(months) {
                    view.intensities.append(
                        IntensityLine(metric: metric, unit: entry.unit, emissions: period.emissions, value: period.value, intensity: period.intensity))
                }
            }
        }
        if let tenant {
            let keys = try TagLedgerStore.keys(db, tenant: tenant, from: from, to: to)
            for key in keys {
                var tagLines: [Line] = []
                for mode in [ResultMode.measured, .estimated] {
                    let report = try TagLedgerStore.breakdown(db, tenant: tenant, key: key, from: from, to: to, mode: mode)
                    guard !report.parts.isEmpty else { continue }
                    tagLines += report.values.map { Line(name: $0.value, mode: mode, figures: $0.figures, unallocated: nil, usage: nil) }
                }
                view.tagBreakdowns.append(TagLines(key: key, lines: tagLines))
            }
        }
        if case .provider = subject {
            view.sites = try sites(db, from: from, to: to)
            let window = Array(sequence(first: from) { $0 < to ? $0.next : nil })
            for entry in try SiteMeasureStore.sites(db) {
                let months = try SiteMeasureStore.months(db, site: entry.site, from: from, to: to)
                guard !months.isEmpty else { continue }
                view.indicators.append((entry.site, SiteIndicators.compute(period: window, data: months)))
            }
            view.indicatorTargets = try IndicatorTargetStore.progress(db, year: to.year)
            view.tenants = lines(try rows(.tenant, [.tenant], [:]))
            view.tenantNames = try LedgerStore.tenantNames(db)
        }
        return view
    }

    /// The average of each UTC hour of the day over `month`, from the hourly rows of the
    /// subject's layer (measured, location-based); nil when the month has none.
    private static func hourlyProfile(_ rows: [EmissionsRow], month: CalendarMonth) -> (month: CalendarMonth, hours: [Double])? {
        var sums = [Double](repeating: 0, count: 24)
        var any = false
        for row in rows {
            // `2024-01-31T05:00:00Z`: the hour of the day is characters 11-12.
            guard let period = row.period, period.count >= 13, let hour = Int(period.dropFirst(11).prefix(2)), (0..<24).contains(hour) else {
                continue
            }
            sums[hour] += row.figures.totalLocation
            any = true
        }
        guard any else { return nil }
        let days = Double(month.end - month.start) / 86_400
        return (month, sums.map { $0 / days })
    }

    /// Each hour's carbon-free energy over its energy, from the hourly rows of the subject's
    /// layer (measured); nil when the month has no hours.
    private static func cfeHeatMap(_ rows: [EmissionsRow], month: CalendarMonth) -> CFEHeatMap? {
        let days = Int((month.end - month.start) / 86_400)
        var energy = Array(repeating: Array(repeating: 0.0, count: 24), count: days)
        var cfe = energy
        var any = false
        for row in rows {
            // `2024-01-31T05:00:00Z`: the day is characters 8-9, the hour 11-12.
            guard let period = row.period, period.count >= 13, let day = Int(period.dropFirst(8).prefix(2)), let hour = Int(period.dropFirst(11).prefix(2)),
                (1...days).contains(day), (0..<24).contains(hour)
            else { continue }
            energy[day - 1][hour] += row.figures.energyKWh
            cfe[day - 1][hour] += row.figures.cfeKWh
            any = true
        }
        guard any else { return nil }
        let shares = (0..<days).map { d in (0..<24).map { h in energy[d][h] > 0 ? cfe[d][h] / energy[d][h] : nil } }
        return CFEHeatMap(month: month, shares: shares)
    }

    private static func targets(_ db: Database, tenant: String?) throws -> [TargetLine] {
        try ManagementStore.targetProgress(db, tenant: tenant).map { TargetLine(tenant: $0.target.tenant, progress: $0.progress) }
    }

    private static func budgets(_ db: Database, tenant: String?, method: EmissionForecast.Method) throws -> [BudgetLine] {
        try ManagementStore.budgetForecasts(db, tenant: tenant, method: method).map {
            BudgetLine(tenant: $0.budget.tenant, month: $0.month, budget: $0.budget.kgco2e, actual: $0.actual, forecast: $0.forecast)
        }
    }

    /// Sites over the window, with the PUE of each site's latest month that reports one.
    private static func sites(_ db: Database, from: CalendarMonth, to: CalendarMonth) throws -> [SiteLine] {
        let rows = try LedgerStore.emissions(
            db, query: EmissionsQuery(layer: .site, groupBy: [.site, .region], from: from, to: to, filters: [:], mode: .measured, format: .json))
        let pue = try LedgerStore.latestPUE(db, from: from, to: to)
        return rows.map { row in
            let site = row.group.first?.1 ?? "—"
            return SiteLine(
                site: site, region: row.group.dropFirst().first?.1 ?? "—", figures: row.figures, unallocated: row.unallocated ?? .zero,
                pue: pue[site]?.0, pueMonth: pue[site]?.1, quality: row.quality ?? .zero)
        }
    }
}
