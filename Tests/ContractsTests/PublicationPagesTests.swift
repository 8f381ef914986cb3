import CarbonModel
import Contracts
import Foundation
import Testing

/// A large publication travels as pages: each tenant cell exactly once, with its tag parts and
/// hours; the last page carries the rest.
@Suite struct PublicationPagesTests {
    static let month = CalendarMonth(year: 2024, month: 1)

    static func publication(tenants: Int, removed: Int) -> RegionMonthPublication {
        let figures = EmissionFigures(scope1: 1, scope2Location: 2, scope2Market: 3, scope3: 4, energyKWh: 5)
        var cells: [TenantResult] = []
        var parts: [TagPart] = []
        var hours: [HourlySeries] = [HourlySeries(layer: "product", product: "ecs", hours: [figures, .zero])]
        for i in 0..<tenants {
            let mode: ResultMode = i % 3 == 0 ? .estimated : .measured
            cells.append(
                TenantResult(tenant: "t\(i)", product: "ecs", region: "r1", month: month, figures: figures, usage: Double(i), share: 0.1, mode: mode))
            parts.append(
                TagPart(tenant: "t\(i)", product: "ecs", region: "r1", month: month, key: "k", value: "v", usage: 1, figures: figures, mode: mode, share: 1))
            if mode == .estimated { hours.append(HourlySeries(layer: "tenant", product: "ecs", tenant: "t\(i)", hours: [figures, figures])) }
        }
        var publication = RegionMonthPublication(
            region: "r1", month: month, version: 7, calculatedAt: "2024-02-01T00:00:00Z",
            result: RegionMonthResult(
                region: "r1", month: month, sites: [SiteResult(site: "s1", region: "r1", month: month, figures: figures)],
                productRegions: [ProductRegionResult(product: "ecs", region: "r1", month: month, basis: .usage, figures: figures)],
                tenants: cells, hourly: hours))
        publication.tagParts = parts
        publication.baseVersion = 6
        publication.removedTenants = (0..<removed).map { TenantCellRef(tenant: "gone\($0)", product: "ecs", mode: .measured) }
        publication.factorsUsed = [FactorReference(factor: "f", version: "1", value: 0.5)]
        return publication
    }

    @Test func everyCellOnceWithItsPartsAndHoursAndTheRestOnTheLastPage() throws {
        let whole = Self.publication(tenants: 10, removed: 5)
        let pages = PublicationPages.split(whole, cellsPerPage: 4)
        // 10 cells → 3 pages, 5 removals → 2 pages, and the last one.
        #expect(pages.count == 6)
        #expect(pages.map(\.page) == [1, 2, 3, 4, 5, 6])
        #expect(pages.allSatisfy { $0.pages == 6 && $0.version == 7 && $0.baseVersion == 6 && $0.calculatedAt == whole.calculatedAt })
        #expect(pages.dropLast().allSatisfy { !$0.isLastPage && $0.result.sites.isEmpty && $0.result.productRegions.isEmpty && $0.factorsUsed == nil })
        #expect(pages.allSatisfy { $0.result.tenants.count + ($0.removedTenants?.count ?? 0) <= 4 })
        #expect(pages.flatMap(\.result.tenants) == whole.result.tenants)
        #expect(pages.flatMap { $0.removedTenants ?? [] } == whole.removedTenants)
        #expect(Set(pages.flatMap { $0.tagParts ?? [] }) == Set(whole.tagParts ?? []))
        #expect(Set(pages.flatMap(\.result.hourly)) == Set(whole.result.hourly))
        for page in pages {
            let cells = Set(page.result.tenants.map(TenantCellRef.init))
            for part in page.tagParts ?? [] { #expect(cells.contains(TenantCellRef(tenant: part.tenant, product: part.product, mode: part.mode))) }
            for series in page.result.hourly where series.layer == "tenant" {
                #expect(cells.contains(TenantCellRef(tenant: series.tenant ?? "", product: series.product ?? "", mode: .estimated)))
            }
        }
        let last = try #require(pages.last)
        #expect(last.isLastPage)
        #expect(last.result.sites == whole.result.sites && last.result.productRegions == whole.result.productRegions)
        #expect(last.factorsUsed == whole.factorsUsed)
        #expect(last.result.hourly.allSatisfy { $0.layer != "tenant" })
        // Pages survive the wire.
        for page in pages { #expect(try JSONDecoder().decode(RegionMonthPublication.self, from: JSONEncoder().encode(page)) == page) }
    }

    @Test func aPublicationThatFitsIsOneMessage() {
        let whole = Self.publication(tenants: 3, removed: 1)
        let pages = PublicationPages.split(whole, cellsPerPage: 4)
        #expect(pages == [whole])
        #expect(pages[0].isLastPage && pages[0].page == nil)
    }

    @Test func compactFormKeepsWhatTheReporterNeeds() throws {
        let whole = Self.publication(tenants: 6, removed: 0)
        let compact = whole.compacted()
        #expect(compact.result.tenants.allSatisfy { $0.mode == .estimated })
        #expect(compact.result.tenants.count == 2)
        #expect(compact.measuredCells?.map(\.tenant) == ["t1", "t2", "t4", "t5"])
        #expect(compact.measuredCells?.first?.usage == 1)
        #expect(compact.tagParts == nil)
        #expect(compact.tagShares?.count == 6)
        let data = try JSONEncoder().encode(compact)
        #expect(data.count < (try JSONEncoder().encode(whole)).count)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#"["t1","ecs",1]"#))
        #expect(try JSONDecoder().decode(RegionMonthPublication.self, from: data) == compact)
    }
}
