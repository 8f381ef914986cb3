import Foundation
import CarbonModel
import Contracts
import Testing

@Suite struct TagBreakdownTests {
    /// A tenant cell of 12 kg scope 2 (location), 10 kg (market), 3 kg scope 3, 24 kWh.
    let cell = EmissionFigures(scope1: 0, scope2Location: 12, scope2Market: 10, scope3: 3, energyKWh: 24)

    @Test func splitsByTaggedUsageWithUntaggedRemainder() {
        // Usage 8 vCPU-h: 4 tagged a, 2 tagged b, 2 without the key.
        // a: 4/8 = 0.5  → 6 / 5 / 1.5 / 12 kWh
        // b: 2/8 = 0.25 → 3 / 2.5 / 0.75 / 6 kWh
        // untagged: the rest → 3 / 2.5 / 0.75 / 6 kWh
        let shares = TagBreakdown.split(figures: cell, totalMicro: 8_000_000, taggedMicro: ["b": 2_000_000, "a": 4_000_000])
        #expect(shares.map(\.value) == ["a", "b", TagBreakdown.untagged])
        #expect(shares.map(\.usageMicro) == [4_000_000, 2_000_000, 2_000_000])
        #expect(shares[0].figures == EmissionFigures(scope2Location: 6, scope2Market: 5, scope3: 1.5, energyKWh: 12))
        #expect(shares[1].figures == EmissionFigures(scope2Location: 3, scope2Market: 2.5, scope3: 0.75, energyKWh: 6))
        #expect(shares[2].figures == EmissionFigures(scope2Location: 3, scope2Market: 2.5, scope3: 0.75, energyKWh: 6))
    }

    @Test func fullyTaggedCellHasNoUntaggedPart() {
        // Usage 3: a 1, b 2. a: 1/3 of 12 = 4 kg; b takes the rest, 8 kg. Σ = 12.
        let shares = TagBreakdown.split(figures: EmissionFigures(scope2Location: 12), totalMicro: 3_000_000, taggedMicro: ["a": 1_000_000, "b": 2_000_000])
        #expect(shares.map(\.value) == ["a", "b"])
        #expect(abs(shares[0].figures.scope2Location - 4) < 1e-12)
        #expect(abs(shares[1].figures.scope2Location - 8) < 1e-12)
        #expect(shares[0].figures.scope2Location + shares[1].figures.scope2Location == 12)
    }

    @Test func partsSumToTheCellWhateverTheRounding() {
        // Thirds do not round exactly: 10 × 1/3 + 10 × 1/3 + the rest must still give 10.
        let shares = TagBreakdown.split(
            figures: EmissionFigures(scope1: 10, scope2Location: 10, scope2Market: 10, scope3: 10, energyKWh: 10), totalMicro: 3,
            taggedMicro: ["x": 1, "y": 1])
        #expect(shares.count == 3)
        let sum = shares.reduce(EmissionFigures.zero) { $0 + $1.figures }
        #expect(sum == EmissionFigures(scope1: 10, scope2Location: 10, scope2Market: 10, scope3: 10, energyKWh: 10))
        #expect(shares.map(\.usageMicro) == [1, 1, 1])
    }

    @Test func emptyValuesAndInconsistentTotals() {
        // A value whose usage a revision moved away (0) gives no part: 2 of 4 tagged a → a 6 kg,
        // untagged 6 kg.
        let moved = TagBreakdown.split(figures: EmissionFigures(scope2Location: 12), totalMicro: 4, taggedMicro: ["a": 2, "b": 0])
        #expect(moved.map(\.value) == ["a", TagBreakdown.untagged])
        #expect(moved.map(\.figures.scope2Location) == [6, 6])
        // Tagged 6 against a total of 4 (cannot happen from one store): 6 is the denominator,
        // a = 2/6 → 4 kg, b the rest 8 kg, no untagged part.
        let over = TagBreakdown.split(figures: EmissionFigures(scope2Location: 12), totalMicro: 4, taggedMicro: ["a": 2, "b": 4])
        #expect(over.map(\.value) == ["a", "b"])
        #expect(abs(over[0].figures.scope2Location - 4) < 1e-12)
        // Nothing to split by: the whole cell is untagged.
        let none = TagBreakdown.split(figures: EmissionFigures(scope2Location: 12), totalMicro: 0, taggedMicro: [:])
        #expect(none == [TagBreakdown.Share(value: TagBreakdown.untagged, usageMicro: 0, figures: EmissionFigures(scope2Location: 12))])
    }

    @Test func partsOfARegionMonthCoverEveryKeyOfEachCell() {
        let month = CalendarMonth(year: 2024, month: 1)
        let t1 = TenantResult(tenant: "t1", product: "ecs", region: "r", month: month, figures: EmissionFigures(scope2Location: 12), usage: 8, share: 0.5)
        let t2 = TenantResult(tenant: "t2", product: "ecs", region: "r", month: month, figures: EmissionFigures(scope2Location: 12), usage: 8, share: 0.5)
        let t1Key = TenantCellKey(tenant: "t1", product: "ecs")
        // t1: 8 vCPU-h; project a 6, b 2 (all tagged); cost_centre cc1 on 2 → cc1 3 kg, untagged 9 kg.
        // t2 has no tags: no parts.
        let parts = TagBreakdown.parts(
            tenants: [t1, t2], usage: [t1Key: 8_000_000, TenantCellKey(tenant: "t2", product: "ecs"): 8_000_000],
            tags: [t1Key: ["project": ["a": 6_000_000, "b": 2_000_000], "cost_centre": ["cc1": 2_000_000]]])
        #expect(parts.map { "\($0.key)=\($0.value)" } == ["cost_centre=cc1", "cost_centre=(untagged)", "project=a", "project=b"])
        #expect(parts.map(\.figures.scope2Location) == [3, 9, 9, 3])
        #expect(parts.map(\.usage) == [2, 6, 6, 2])
        #expect(parts.allSatisfy { $0.tenant == "t1" && $0.mode == .measured && $0.month == month })
    }
}

@Suite struct TagPartsPublicationTests {
    @Test func publicationsWithoutTagPartsStillDecodeAndOmitTheField() throws {
        let month = CalendarMonth(year: 2024, month: 1)
        let publication = RegionMonthPublication(
            region: "r", month: month, version: 1, calculatedAt: "2024-02-01T00:00:00Z", result: RegionMonthResult(region: "r", month: month))
        let encoded = try JSONEncoder().encode(publication)
        #expect(!String(decoding: encoded, as: UTF8.self).contains("tag_parts"))
        let decoded = try JSONDecoder().decode(RegionMonthPublication.self, from: encoded)
        #expect(decoded.tagParts == nil)
        var tagged = publication
        tagged.tagParts = [
            TagPart(tenant: "t", product: "ecs", region: "r", month: month, key: "project", value: "a", usage: 2, figures: EmissionFigures(scope2Location: 1), mode: .measured)
        ]
        #expect(try JSONDecoder().decode(RegionMonthPublication.self, from: JSONEncoder().encode(tagged)) == tagged)
    }
}
