import CarbonModel
/// Splits a region-month publication into pages of at most `cellsPerPage` tenant cells (and
/// as many removals), so that neither the calculator nor the reporter ever holds the JSON of
/// every tenant of a large region-month at once. Each tenant cell travels with its tag parts
/// and (estimated cells) its hours; the last page carries sites, products, the other hours and
/// the factors, and completes the version. A publication that fits in one page is returned
/// as it is.
public enum PublicationPages {
    public static func split(_ publication: RegionMonthPublication, cellsPerPage: Int) -> [RegionMonthPublication] {
        let size = max(1, cellsPerPage)
        let tenants = publication.result.tenants
        let removed = publication.removedTenants ?? []
        guard tenants.count + removed.count > size else { return [publication] }

        var partsByCell: [TenantCellRef: [TagPart]] = [:]
        for part in publication.tagParts ?? [] {
            partsByCell[TenantCellRef(tenant: part.tenant, product: part.product, mode: part.mode), default: []].append(part)
        }
        var hoursByCell: [TenantCellRef: [HourlySeries]] = [:]
        var otherHours: [HourlySeries] = []
        for series in publication.result.hourly {
            if series.layer == "tenant", let tenant = series.tenant, let product = series.product {
                hoursByCell[TenantCellRef(tenant: tenant, product: product, mode: .estimated), default: []].append(series)
            } else {
                otherHours.append(series)
            }
        }

        func page(tenants: ArraySlice<TenantResult>, removed: ArraySlice<TenantCellRef>) -> RegionMonthPublication {
            var page = publication
            page.result = RegionMonthResult(region: publication.region, month: publication.month)
            page.result.tenants = Array(tenants)
            page.result.hourly = tenants.flatMap { hoursByCell[TenantCellRef($0)] ?? [] }
            let parts = tenants.flatMap { partsByCell[TenantCellRef($0)] ?? [] }
            page.tagParts = parts.isEmpty ? nil : parts
            page.removedTenants = publication.removedTenants == nil ? nil : Array(removed)
            page.factorsUsed = nil
            return page
        }
        var pages: [RegionMonthPublication] = []
        var start = 0
        while start < tenants.count {
            let end = min(start + size, tenants.count)
            pages.append(page(tenants: tenants[start..<end], removed: []))
            start = end
        }
        start = 0
        while start < removed.count {
            let end = min(start + size, removed.count)
            pages.append(page(tenants: [], removed: removed[start..<end]))
            start = end
        }
        var last = publication
        last.result.tenants = []
        last.result.hourly = otherHours
        last.tagParts = nil
        last.removedTenants = publication.removedTenants == nil ? nil : []
        pages.append(last)
        for index in pages.indices {
            pages[index].page = index + 1
            pages[index].pages = pages.count
        }
        return pages
    }
}
