import Collecting
import Testing

/// The text exposition parser, the label mapping and the counter arithmetic of the scrape source.
struct PrometheusScrapeTests {
    static let keplerText = """
        # HELP kepler_container_joules_total Aggregated RAPL value in package (socket) and dram in joules
        # TYPE kepler_container_joules_total counter
        kepler_container_joules_total{container_id="a1",container_name="api",container_namespace="shop",mode="dynamic",pod_name="api-7d9"} 3600000
        kepler_container_joules_total{container_id="a1",container_name="api",container_namespace="shop",mode="idle",pod_name="api-7d9"} 1.8e6
        kepler_container_joules_total{container_id="b2",container_name="db",container_namespace="unknown-ns",mode="dynamic",pod_name="db-0"} 100
        node_rapl_package_joules_total{index="0",path="/sys/class/powercap/intel-rapl:0"} 7200000 1714550400000
        this line is garbage
        escaped_total{text="a \\"quoted\\" \\\\ value"} +Inf
        # EOF
        after_eof 1
        """

    @Test func parsesSamplesLabelsEscapesAndReportsBadLines() {
        let (samples, bad) = PrometheusExposition.parse(Self.keplerText)
        #expect(samples.count == 5)
        #expect(samples[0].name == "kepler_container_joules_total")
        #expect(samples[0].labels["container_namespace"] == "shop")
        #expect(samples[0].value == 3_600_000)
        #expect(samples[1].value == 1_800_000)
        #expect(samples[3].name == "node_rapl_package_joules_total")
        #expect(samples[3].value == 7_200_000)
        #expect(samples[3].labels["path"] == "/sys/class/powercap/intel-rapl:0")
        #expect(samples[4].labels["text"] == #"a "quoted" \ value"#)
        #expect(samples[4].value == .infinity)
        #expect(bad == [PrometheusExposition.BadLine(line: 7, reason: #"this: value "line" is not a number"#)])
    }

    @Test func rulesMapLabelsToSitesAndProducts() {
        let rule = EnergyMetricRule(
            metric: "kepler_container_joules_total", kind: "product.it_electricity", match: ["mode": "dynamic"], site: "s1",
            productLabel: "container_namespace", products: ["shop": "ecs"])
        let (samples, _) = PrometheusExposition.parse(Self.keplerText)
        #expect(rule.target(of: samples[0]) == EnergyTarget(kind: "product.it_electricity", site: "s1", product: "ecs"))
        #expect(rule.target(of: samples[1]) == nil)  // mode="idle" is filtered out
        #expect(rule.selects(samples[2]) && rule.target(of: samples[2]) == nil)  // namespace not in the map
        let rapl = EnergyMetricRule(metric: "node_rapl_package_joules_total", kind: "facility.it_electricity", siteLabel: "index", sites: ["0": "s2"])
        #expect(rapl.target(of: samples[3]) == EnergyTarget(kind: "facility.it_electricity", site: "s2"))
        #expect(rapl.problem == nil)
        #expect(EnergyMetricRule(metric: "m", kind: "product.it_electricity", site: "s1").problem == "needs product or product_label")
        #expect(EnergyMetricRule(metric: "m", kind: "usage", site: "s1").problem != nil)
    }

    static let ecs = EnergyTarget(kind: "product.it_electricity", site: "s1", product: "ecs")

    func reading(_ kWh: Double, series: String = "a") -> EnergyCounterTracker.Reading {
        .init(series: series, target: Self.ecs, kilowattHours: kWh)
    }

    @Test func deltasBetweenScrapesAfterABaseline() {
        var tracker = EnergyCounterTracker()
        #expect(tracker.observe([reading(10)], at: 1_000).isEmpty)  // baseline only
        let second = tracker.observe([reading(12.5)], at: 1_060)
        #expect(second.count == 1)
        #expect(second.first?.kilowattHours == 2.5)
        #expect(second.first?.start == 1_000 && second.first?.end == 1_060)
    }

    @Test func aCounterResetCountsFromZeroAndNeverYieldsNegativeEnergy() {
        var tracker = EnergyCounterTracker()
        _ = tracker.observe([reading(100)], at: 0)
        let grown = tracker.observe([reading(104)], at: 60)
        // The exporter restarted: 104 → 1. The new value is energy since the reset: 1, not −103.
        let reset = tracker.observe([reading(1)], at: 120)
        let after = tracker.observe([reading(3)], at: 180)
        #expect(grown.map(\.kilowattHours) == [4])
        #expect(reset.map(\.kilowattHours) == [1])
        #expect(after.map(\.kilowattHours) == [2])
        #expect((grown + reset + after).allSatisfy { $0.kilowattHours >= 0 })
        // A reset to exactly zero adds nothing and emits no record.
        #expect(tracker.observe([reading(0)], at: 240).isEmpty)
    }

    @Test func aMissedScrapeMakesOneIntervalSpanningTheGap() {
        var tracker = EnergyCounterTracker()
        _ = tracker.observe([reading(0)], at: 0)
        _ = tracker.observe([reading(1)], at: 60)
        // The scrape at 120 failed: nothing observed. At 180 the counter is 4: 3 kWh over 60…180,
        // which the preprocessor spreads pro rata over the two minutes like any record.
        let spanning = tracker.observe([reading(4)], at: 180)
        #expect(spanning.count == 1)
        #expect(spanning.first?.start == 60 && spanning.first?.end == 180)
        #expect(spanning.first?.kilowattHours == 3)
    }

    @Test func seriesOfOneTargetAddUpAndScrapesInTheSameSecondAccumulate() {
        var tracker = EnergyCounterTracker()
        _ = tracker.observe([reading(1, series: "a"), reading(10, series: "b")], at: 100)
        #expect(tracker.observe([reading(2, series: "a"), reading(10.5, series: "b")], at: 100).isEmpty)  // same second
        let next = tracker.observe([reading(3, series: "a"), reading(11, series: "b")], at: 101)
        // a: 1 → 3 = 2; b: 10 → 11 = 1; one record for the shared target: 3 kWh over 100…101.
        #expect(next.map(\.kilowattHours) == [3])
        #expect(next.first?.start == 100 && next.first?.end == 101)
        // A series seen for the first time is a baseline: its earlier count is not claimed.
        #expect(tracker.observe([reading(3, series: "a"), reading(11, series: "b"), reading(50, series: "c")], at: 102).isEmpty)
        // NaN is ignored, neither energy nor baseline.
        #expect(tracker.observe([reading(.nan, series: "a"), reading(12, series: "b")], at: 103).map(\.kilowattHours) == [1])
    }
}
