import CarbonModel
import Contracts
import Foundation
import GRDB
import Testing

@testable import Calculator

/// What later calculations of a region-month publish (``PublishedTenantCells``): change sets
/// holding only the tenant cells whose published state changed, and the cells that are gone.
@Suite final class PublishedTenantCellsTests {
    let store: CalculatorTestStore
    let key = RegionMonthKey(region: "r1", month: Given.january)

    init() throws {
        store = try CalculatorTestStore()
        try HandComputedCase.load(into: store)
    }

    @Test func aSecondCalculationPublishesOnlyTheTenantCellsThatChanged() throws {
        let (first, whole) = try store.calculate(key)
        #expect(first.version == 1 && whole.baseVersion == nil && whole.measuredCells?.count == 3)

        // b's vm usage revised from 10 to 30 vCPU-h. a's cell keeps its usage (30), so its
        // published state is the same: the reporter derives its new share, 30 / 60, from the
        // product row. Only b's cell is read and sent.
        try store.apply([Given.usage("b-vm", tenant: "b", product: "vm", 30, unit: "vCPU-h", revision: 2)])
        let (second, changeSet) = try store.calculate(key)
        #expect(second.version == 2 && second.tenantCells == 1 && second.changedCells == 1 && second.removedCells == 0)
        #expect(changeSet.baseVersion == 1 && changeSet.removedTenants == [])
        #expect(changeSet.measuredCells == [MeasuredCell(tenant: "b", product: "vm", usage: 30)])
        #expect(changeSet.result.tenants.isEmpty)
        // Products stay complete: vm's usage is now 30 + 30 = 60, its emissions unchanged.
        let vm = try #require(changeSet.result.productRegions.first { $0.product == "vm" })
        #expect(vm.usage == 60 && vm.denominator == 60)
        expectClose(vm.figures, HandComputedCase.vm, "vm after b's revision")

        // A revised grid factor (0.4 instead of 0.5 kg CO2e/kWh) changes every figure and no
        // tenant's usage: the version carries no tenant cell at all.
        try store.declare(factors: [Given.factor("grid.G1", "electricity", grid: "G1", 0.4, version: "2")])
        let (third, newFactor) = try store.calculate(key)
        #expect(third.version == 3 && third.tenantCells == 0 && third.changedCells == 0)
        #expect(newFactor.baseVersion == 2 && newFactor.measuredCells == nil && newFactor.result.tenants.isEmpty)
        // scope2_location = 1,000 × 0.4 = 400 at the site; vm's w = 0.75 of it = 300.
        expectClose(newFactor.result.sites.first?.figures.scope2Location, 400, "site location after the revised factor")
        expectClose(newFactor.result.productRegions.first { $0.product == "vm" }?.figures.scope2Location, 300, "vm location")

        // a's store usage withdrawn (its next revision went to another calculator's partition):
        // the cell is gone, and store is all unallocated (U = 0; D = capacity 100).
        try store.retract([RecordRetraction(source: "test", id: "a-store", revision: 2, region: "r1")])
        let (fourth, removal) = try store.calculate(key)
        #expect(fourth.version == 4 && fourth.changedCells == 0 && fourth.removedCells == 1)
        #expect(removal.removedTenants == [TenantCellRef(tenant: "a", product: "store", mode: .measured)])
        #expect(removal.measuredCells == nil)
        let storeProduct = try #require(removal.result.productRegions.first { $0.product == "store" })
        // store = w 0.25 of the site: location 400 × 0.25 = 100, all of it unallocated.
        expectClose(storeProduct.unallocated.scope2Location, 100, "store unallocated after the removal")
        #expect(storeProduct.usage == 0)

        let published = try store.database.read { db in try PublishedTenantCells.count(db, key: key) }
        #expect(published == 2, "a/vm and b/vm remain published")
    }

    @Test func aRoundOverEveryCellStillPublishesOnlyTheChangedOnes() throws {
        _ = try store.calculate(key)
        // A product declared anew can move usage between cells: the next round reads every
        // tenant cell (all_tenants), and since none of their states changed, publishes none.
        try store.declare(products: [ProductDeclaration(product: "vm", unit: "vCPU-h")])
        #expect(try store.dirty().allTenants == ["r1/2024-01"])
        let (calculated, publication) = try store.calculate(key)
        #expect(calculated.version == 2 && calculated.tenantCells == 3 && calculated.changedCells == 0)
        #expect(publication.baseVersion == 1 && publication.measuredCells == nil && publication.removedTenants == [])
    }

    @Test func theSameStateEncodesToTheSameBytesAndAnotherUsageToOthers() {
        let month = Given.january
        let cell = TenantResult(
            tenant: "a", product: "vm", region: "r1", month: month, figures: HandComputedCase.vmA, usage: 30, share: 0.75)
        var refigured = cell
        // A measured cell's figures are derived by the reporter: they are not part of its state.
        refigured.figures = HandComputedCase.vmB
        refigured.share = 0.5
        var reused = cell
        reused.usage = 31
        let state = TenantCellState.encode(cell, tagParts: [], hours: nil)
        #expect(TenantCellState.encode(refigured, tagParts: [], hours: nil) == state)
        #expect(TenantCellState.encode(reused, tagParts: [], hours: nil) != state)
    }
}
