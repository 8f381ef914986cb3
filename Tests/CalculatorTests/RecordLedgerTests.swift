import CarbonModel
import Contracts
import Foundation
import GRDB
import Testing

@testable import Calculator

/// The calculator's ledger in process (``RecordLedger``): records become exact integer sums per
/// series and bucket, a repeat changes nothing, a revision or a retraction replaces the earlier
/// contribution, and every change marks the region-months (and tenant cells) it can affect.
@Suite final class RecordLedgerTests {
    let store: CalculatorTestStore
    let january = Given.january, february = Given.february, hour = Given.hour

    init() throws {
        store = try CalculatorTestStore()
        try store.declare(
            sites: [SiteDeclaration(site: "s1", region: "r1", grid: "G1"), SiteDeclaration(site: "s2", region: "r2", grid: "G2")],
            products: [ProductDeclaration(product: "vm", unit: "vCPU-h")])
    }

    @Test func recordsAreSummedExactlyPerSeriesAndBucket() throws {
        let t0 = january.start
        let outcome = try store.apply([
            // 10 kWh in hour 0.
            Given.record("e1", .facilityElectricity, from: t0, to: t0 + hour, micro: 10_000_000, unit: "kWh"),
            // 3 kWh from 00:30 to 01:30: half its seconds in each hour, 1.5 kWh each.
            Given.record("e2", .facilityElectricity, from: t0 + hour / 2, to: t0 + 3 * hour / 2, micro: 3_000_000, unit: "kWh"),
            // 4 vCPU-h from 31 January 23:00 to 1 February 01:00: 2 in each month. Usage without
            // resource details is kept as one sum per month, in the bucket starting the month.
            Given.record(
                "u1", .usage, from: february.start - hour, to: february.start + hour, micro: 4_000_000, unit: "vCPU-h", site: nil,
                product: "vm", tenant: "a"),
        ])
        #expect(outcome.applied == 3 && outcome.stale == 0)

        // Hour 0: 10 + 1.5 = 11.5 kWh; hour 1: 1.5 kWh — in micro-units, exactly.
        #expect(
            try store.sums(kind: .facilityElectricity) == [
                SeriesSum(site: "s1", product: "", tenant: "", substance: "", bucket: t0, amount: 11_500_000),
                SeriesSum(site: "s1", product: "", tenant: "", substance: "", bucket: t0 + hour, amount: 1_500_000),
            ])
        #expect(
            try store.sums(kind: .usage) == [
                SeriesSum(site: "", product: "vm", tenant: "a", substance: "", bucket: january.start, amount: 2_000_000),
                SeriesSum(site: "", product: "vm", tenant: "a", substance: "", bucket: february.start, amount: 2_000_000),
            ])
        // Both months of r1 are to be recalculated, and the usage marked a's cell in each.
        #expect(try store.dirty().all == ["r1/2024-01", "r1/2024-02"])
        for month in [january, february] {
            let changed = try store.database.read { db in try PublishedTenantCells.changed(db, key: RegionMonthKey(region: "r1", month: month)) }
            #expect(changed == [TenantCellKey(tenant: "a", product: "vm")], "\(month)")
        }
    }

    @Test func aRepeatChangesNothingARevisionReplacesAndARetractionWithdraws() throws {
        let t0 = january.start
        try store.apply([Given.record("e1", .facilityElectricity, from: t0, to: t0 + hour, micro: 10_000_000, unit: "kWh")])
        try store.clearDirty()

        // The same revision again (a re-delivery), even with other bytes: stale, nothing marked.
        var outcome = try store.apply([Given.record("e1", .facilityElectricity, from: t0, to: t0 + hour, micro: 99_000_000, unit: "kWh")])
        #expect(outcome.applied == 0 && outcome.stale == 1)
        #expect(try store.sums(kind: .facilityElectricity).map(\.amount) == [10_000_000])
        #expect(try store.dirty().all.isEmpty)

        // Revision 2: 6 kWh over hours 0 and 1 (3 each) replaces the 10 kWh of hour 0.
        outcome = try store.apply([
            Given.record("e1", .facilityElectricity, from: t0, to: t0 + 2 * hour, micro: 6_000_000, unit: "kWh", revision: 2)
        ])
        #expect(outcome.applied == 1)
        #expect(try store.sums(kind: .facilityElectricity).map { [$0.bucket, $0.amount] } == [[t0, 3_000_000], [t0 + hour, 3_000_000]])
        #expect(try store.dirty().all == ["r1/2024-01"])

        // Revision 1 arriving late is older than what is held: stale.
        outcome = try store.apply([Given.record("e1", .facilityElectricity, from: t0, to: t0 + hour, micro: 10_000_000, unit: "kWh")])
        #expect(outcome.stale == 1)
        #expect(try store.sums(kind: .facilityElectricity).map(\.amount) == [3_000_000, 3_000_000])

        // Revision 3 belongs to another calculator's partition: retracted, the sums go back to nothing.
        try store.clearDirty()
        #expect(try store.retract([RecordRetraction(source: "test", id: "e1", revision: 3, region: "r1")]) == 1)
        #expect(try store.sums(kind: .facilityElectricity).isEmpty)
        #expect(try store.dirty().all == ["r1/2024-01"])
        // The row stays, empty, at revision 3: revision 2 arriving late is still stale.
        outcome = try store.apply([
            Given.record("e1", .facilityElectricity, from: t0, to: t0 + 2 * hour, micro: 6_000_000, unit: "kWh", revision: 2)
        ])
        #expect(outcome.stale == 1)
        #expect(try store.sums(kind: .facilityElectricity).isEmpty)
        // A later revision (back in this partition) counts again.
        outcome = try store.apply([
            Given.record("e1", .facilityElectricity, from: t0, to: t0 + hour, micro: 7_000_000, unit: "kWh", revision: 4)
        ])
        #expect(outcome.applied == 1)
        #expect(try store.sums(kind: .facilityElectricity).map(\.amount) == [7_000_000])
        // Withdrawing it again with an older retraction does nothing.
        #expect(try store.retract([RecordRetraction(source: "test", id: "e1", revision: 3, region: "r1")]) == 0)
        #expect(try store.sums(kind: .facilityElectricity).map(\.amount) == [7_000_000])
    }

    @Test func aRecordIsItsOwnersSoTheSameSourceAndIDOfAnotherOwnerIsAnotherRecord() throws {
        // The provider's usage of tenant a, and tenant a's own record under the same source and id.
        var own = Given.usage("u", tenant: "a", product: "vm", 2, unit: "vCPU-h")
        own.owner = "a"
        try store.apply([Given.usage("u", tenant: "a", product: "vm", 5, unit: "vCPU-h"), own])
        // 5 + 2 vCPU-h: neither replaced the other.
        #expect(try store.sums(kind: .usage).map(\.amount) == [7_000_000])
        // Revising the tenant's record leaves the provider's alone: 5 + 4.
        var revised = Given.usage("u", tenant: "a", product: "vm", 4, unit: "vCPU-h", revision: 2)
        revised.owner = "a"
        try store.apply([revised])
        #expect(try store.sums(kind: .usage).map(\.amount) == [9_000_000])
    }

    @Test func declarationsMarkWhatTheyCanChange() throws {
        // Data in r1 for January and February, in r2 for January.
        try store.apply([
            Given.usage("a-jan", tenant: "a", product: "vm", 1, unit: "vCPU-h"),
            Given.usage("a-feb", tenant: "a", product: "vm", 1, unit: "vCPU-h", month: february),
            Given.record(
                "e2", .facilityElectricity, from: january.start, to: january.start + hour, micro: 1_000_000, unit: "kWh", site: "s2", region: "r2"),
        ])
        try store.clearDirty()

        // A factor of grid G1 valid in January only: only r1's January (s1 is on G1), and no
        // tenant cell needs reading again (a factor changes no measured cell's usage).
        try store.declare(factors: [Given.factor("g1", "electricity", grid: "G1", 0.5, to: february)])
        #expect(try store.dirty() == DirtyMarks(all: ["r1/2024-01"], allTenants: []))
        try store.clearDirty()

        // Revising it to February moves it: the month it left and the month it entered.
        try store.declare(factors: [
            Given.factor("g1", "electricity", grid: "G1", 0.5, from: february, to: CalendarMonth(year: 2024, month: 3), version: "2")
        ])
        #expect(try store.dirty().all == ["r1/2024-01", "r1/2024-02"])
        try store.clearDirty()

        // A factor of a grid no site is on changes nothing; a global one, every region in its months.
        try store.declare(factors: [Given.factor("g9", "electricity", grid: "G9", 0.5)])
        #expect(try store.dirty().all.isEmpty)
        try store.declare(factors: [Given.factor("diesel", "diesel", grid: nil, 2.7, unit: "kgCO2e/L", from: january, to: february)])
        #expect(try store.dirty().all == ["r1/2024-01", "r2/2024-01"])
        try store.clearDirty()

        // A site declared anew: its region's months, every tenant cell (usage may move between cells).
        try store.declare(sites: [SiteDeclaration(site: "s2", region: "r2", grid: "G3")])
        #expect(try store.dirty() == DirtyMarks(all: ["r2/2024-01"], allTenants: ["r2/2024-01"]))
        try store.clearDirty()

        // A product declared anew: every region-month with data, every tenant cell.
        try store.declare(products: [ProductDeclaration(product: "vm", unit: "vCPU-h", basis: .capacity)])
        let all: Set<String> = ["r1/2024-01", "r1/2024-02", "r2/2024-01"]
        #expect(try store.dirty() == DirtyMarks(all: all, allTenants: all))
    }
}
