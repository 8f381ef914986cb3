import Foundation
import Testing

@testable import CarbonModel

/// Data-centre indicators and water (docs/model.md §21) against hand-computed values: every
/// indicator with all its inputs, each input missing in turn, a year with a gap, discharge
/// above withdrawal, and water allocated through products to tenants, conserved.
struct SiteIndicatorsTests {
    static let march = CalendarMonth(year: 2024, month: 3)

    /// Grid 900 + on-site 100 = 1,000 kWh; IT meter 800; certificates 300; reuse 50; cooling
    /// 150; water in 2,000 L (1,500 potable, 500 rain), out 400 L.
    static let full = FacilityMeasures(
        facilityKWh: 1_000, gridKWh: 900, onsiteRenewableKWh: 100, certificatesKWh: 300, itKWh: 800, itSource: "facility",
        heatReuseKWh: 50, coolingKWh: 150, waterWithdrawalL: ["potable": 1_500, "rain": 500], waterDischargeL: ["": 400])
    /// Scope 1 10 kg, scope 2 location 450, market 300, scope 3 (not in CUE) 99.
    static let figures = EmissionFigures(scope1: 10, scope2Location: 450, scope2Market: 300, scope3: 99, energyKWh: 1_000)

    @Test func everyIndicatorWithAllItsInputs() throws {
        let k = SiteIndicators.compute(period: [Self.march], data: [.init(month: Self.march, measures: Self.full, figures: Self.figures)])
        #expect(k.pue.value == 1.25)  // 1,000 / 800
        #expect(k.ref.value == 0.4)  // (100 + min(300, 900)) / 1,000
        #expect(k.erf.value == 0.05)  // 50 / 1,000
        #expect(k.wue.value == 2)  // (2,000 − 400) / 800 L/kWh
        #expect(k.wue.unit == "L/kWh")
        #expect(k.cer.value == 800.0 / 150)  // heat removed ≈ IT energy, over cooling energy
        #expect(k.cueLocation.value == 0.575)  // (10 + 450) / 800
        #expect(k.cueMarket.value == 0.3875)  // (10 + 300) / 800
        for indicator in [k.pue, k.ref, k.erf, k.wue, k.cer, k.cueLocation, k.cueMarket] {
            #expect(indicator.status == .measured && indicator.reason == nil && indicator.months == ["2024-03"])
        }
        #expect(k.inputs.potableWaterL == 1_500)
        #expect(k.inputs.waterConsumedL == 1_600)
        #expect(k.flags.isEmpty && k.missingMonths.isEmpty)
    }

    @Test func certificatesCountOnlyUpToTheGridElectricity() {
        var m = Self.full
        m.certificatesKWh = 5_000
        // (100 + min(5,000, 900)) / 1,000 = 1.
        #expect(SiteIndicators.compute(period: [Self.march], data: [.init(month: Self.march, measures: m, figures: Self.figures)]).ref.value == 1)
    }

    @Test func aMissingInputIsSaidNeverZero() {
        func indicators(_ change: (inout FacilityMeasures) -> Void) -> SiteIndicators {
            var m = Self.full
            change(&m)
            return SiteIndicators.compute(period: [Self.march], data: [.init(month: Self.march, measures: m, figures: Self.figures)])
        }
        let noIT = indicators { $0.itKWh = nil }
        for indicator in [noIT.pue, noIT.wue, noIT.cer, noIT.cueLocation, noIT.cueMarket] {
            #expect(indicator.value == nil && indicator.status == .notMeasured)
        }
        #expect(noIT.pue.reason == "IT energy not measured in the period")
        #expect(noIT.ref.value == 0.4 && noIT.erf.value == 0.05)
        let noHeat = indicators { $0.heatReuseKWh = nil }
        #expect(noHeat.erf.value == nil && noHeat.erf.reason == "reused energy not measured in the period")
        // A measured zero is a zero.
        #expect(indicators { $0.heatReuseKWh = 0 }.erf.value == 0)
        let noWater = indicators { $0.waterWithdrawalL = [:] }
        #expect(noWater.wue.value == nil && noWater.inputs.waterConsumedL == nil && noWater.inputs.waterWithdrawalL == nil)
        // Discharge not measured: nothing counted as returned.
        #expect(indicators { $0.waterDischargeL = [:] }.wue.value == 2.5)  // 2,000 / 800
        let noCooling = indicators { $0.coolingKWh = nil }
        #expect(noCooling.cer.value == nil && noCooling.cer.reason == "cooling energy or IT energy not measured in the period")
        let nothing = SiteIndicators.compute(period: [Self.march], data: [])
        #expect(nothing.pue.status == .notMeasured && nothing.pue.reason == "no data for the site in the period" && nothing.missingMonths == ["2024-03"])
    }

    @Test func aYearWithAGapAndAMonthWithoutTheITMeter() {
        // 2024: no data at all in July; no IT energy in August. Each month like `full`.
        let year = (1...12).map { CalendarMonth(year: 2024, month: $0) }
        let data = year.filter { $0.month != 7 }.map { month -> SiteIndicators.Month in
            var m = Self.full
            if month.month == 8 { m.itKWh = nil }
            return .init(month: month, measures: m, figures: Self.figures)
        }
        let k = SiteIndicators.compute(period: year, data: data)
        #expect(k.missingMonths == ["2024-07"])
        #expect(k.months.count == 11)
        // PUE over the ten months with both: 10,000 / 8,000.
        #expect(k.pue.value == 1.25 && k.pue.status == .partial && k.pue.months.count == 10)
        #expect(k.pue.reason == "IT energy not measured in 2024-08")
        // REF over all eleven months.
        #expect(k.ref.status == .measured && k.ref.months.count == 11)
        #expect(k.inputs.facilityKWh == 11_000 && k.inputs.itKWh == 8_000 && k.inputs.waterWithdrawalL == 22_000)
    }

    @Test func dischargeAboveWithdrawalIsKeptAndFlagged() {
        var m = Self.full
        m.waterDischargeL = ["sea": 2_600]
        let k = SiteIndicators.compute(period: [Self.march], data: [.init(month: Self.march, measures: m, figures: Self.figures)])
        // (2,000 − 2,600) / 800 = −0.75 L/kWh, kept as measured.
        #expect(k.inputs.waterConsumedL == -600)
        #expect(k.wue.value == -0.75)
        #expect(k.flags.map(\.code) == ["discharge_exceeds_withdrawal"])
        #expect(k.flags.first?.explanation.contains("600.0 L more than it withdrew") == true)
    }

    @Test func waterIsAllocatedLikeEnergyAndConserved() throws {
        // Site: 1,000 L in, 200 L out = 800 L consumed. Products by IT energy 3 : 1 → vm 600 L,
        // db 200 L. vm's tenants 30 : 10 → a 450 L, b 150 L.
        let site = SiteDeclaration(site: "s1", region: "r1", grid: "G")
        var input = SiteMonthInput(site: site, productITKWh: ["vm": 300, "db": 100])
        input.waterWithdrawalL = ["potable": 1_000]
        input.waterDischargeL = ["": 200]
        let result = AccountingEngine.calculate(
            RegionMonthInput(
                region: "r1", month: Self.march, sites: [input], products: ["vm": ProductDeclaration(product: "vm", unit: "vCPU-h")],
                usage: ["vm": ["a": 30, "b": 10]], factors: FactorResolver([])))
        let s = try #require(result.sites.first)
        #expect(s.figures.waterL == 800)
        #expect(s.measures?.withdrawalL == 1_000 && s.measures?.itKWh == 400 && s.measures?.itSource == "products")
        let vm = try #require(result.productRegions.first { $0.product == "vm" })
        #expect(vm.figures.waterL == 600)
        #expect(result.productRegions.first { $0.product == "db" }?.figures.waterL == 200)
        let tenants = Dictionary(uniqueKeysWithValues: result.tenants.map { ($0.tenant, $0.figures.waterL) })
        #expect(tenants == ["a": 450, "b": 150])
        #expect(result.productSites.reduce(0) { $0 + $1.figures.waterL } + s.unallocated.waterL == s.figures.waterL)
    }

    @Test func aMeasuredZeroIsKeptAsMeasured() throws {
        let start = Self.march.start
        let record = NormalizedRecord(
            source: "m", id: "reuse", kind: .facilityHeatReuse, start: start, end: start + 40 * 86_400, amount: 0, unit: "kWh",
            site: "s1", region: "r1")
        let contribution = SeriesContribution(record)
        // One zero part in each month the record covers: March and April.
        #expect(contribution.parts == [TimeBucket(start: start, amount: 0), TimeBucket(start: CalendarMonth(year: 2024, month: 4).start, amount: 0)])
        var accumulator = RegionMonthAccumulator()
        accumulator.add(kind: .facilityHeatReuse, site: "s1", product: "", tenant: "", substance: "", bucket: start, amount: 0)
        let input = accumulator.input(
            region: "r1", month: Self.march, sites: ["s1": SiteDeclaration(site: "s1", region: "r1", grid: "G")], products: [:],
            factors: FactorResolver([]))
        #expect(input.sites.first?.heatReuseKWh == 0)
        // Electricity's zeros still change nothing.
        var zeroGrid = record
        zeroGrid.kind = .facilityElectricity
        #expect(SeriesContribution(zeroGrid).parts.isEmpty)
    }
}
