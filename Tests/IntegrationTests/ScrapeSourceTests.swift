import Foundation
import Testing

/// A Prometheus scrape source in the real collector, against a metrics endpoint this test serves
/// on 127.0.0.1: Kepler-style container energy counters that grow, skip a scrape (503), and
/// reset. The energy lands as product IT electricity, with no negative amount anywhere.
@Suite(.serialized) struct ScrapeSourceTests {
    /// Kepler's container counter for two namespaces, in joules (3.6 MJ = 1 kWh).
    static func kepler(shop: Double, storage: Double) -> String {
        """
        # HELP kepler_container_joules_total Aggregated RAPL value in package (socket) and dram in joules
        # TYPE kepler_container_joules_total counter
        kepler_container_joules_total{container_id="a1",container_name="api",container_namespace="shop",mode="dynamic",pod_name="api-7d9"} \(shop)
        kepler_container_joules_total{container_id="a1",container_name="api",container_namespace="shop",mode="idle",pod_name="api-7d9"} 999999999
        kepler_container_joules_total{container_id="b2",container_name="minio",container_namespace="storage",mode="dynamic",pod_name="minio-0"} \(storage)
        kepler_container_joules_total{container_id="c3",container_name="x",container_namespace="unmapped",mode="dynamic",pod_name="x-0"} 5e9

        """
    }

    @Test func energyCountersBecomeITElectricityThroughResetsAndAMissedScrape() async throws {
        // shop:    1.0 → 4.6 → 8.2 → (503) → 11.8 → 1.8 (reset) → 5.4 MJ, then unchanged.
        //          deltas 3.6 + 3.6 + 3.6 (spanning the gap) + 1.8 (from zero) + 3.6 = 16.2 MJ = 4.5 kWh.
        // storage: 0.5 → 1.7 → 2.9 → (503) → 4.1 → 5.3 → 0.6 (reset) MJ.
        //          deltas 1.2 × 4 + 0.6 = 5.4 MJ = 1.5 kWh.
        // A reset read as a plain difference would give −10 MJ (shop) and −4.7 MJ (storage).
        let shop: [Double] = [1.0e6, 4.6e6, 8.2e6, -1, 11.8e6, 1.8e6, 5.4e6]
        let storage: [Double] = [0.5e6, 1.7e6, 2.9e6, -1, 4.1e6, 5.3e6, 0.6e6]
        let script: [MetricsEndpoint.Response] = zip(shop, storage).map { shop, storage in
            shop < 0 ? .unavailable : .metrics(Self.kepler(shop: shop, storage: storage))
        }
        let endpoint = try MetricsEndpoint(script: script)
        defer { endpoint.stop() }

        let suite = try SuiteProcess()
        try await suite.startWithSources([
            "prometheus": [
                [
                    "name": "kepler", "url": endpoint.url, "interval_seconds": 0.4, "timeout_seconds": 5,
                    "metrics": [
                        [
                            "metric": "kepler_container_joules_total", "kind": "product.it_electricity", "match": ["mode": "dynamic"],
                            "site": "s1", "product_label": "container_namespace", "products": ["shop": "ecs", "storage": "oss"],
                        ]
                    ],
                ]
            ]
        ])
        // Site s1 draws 9 kWh from the grid this month, and a third product, "ref", has 3 kWh of
        // metered IT energy there. With the scraped ecs 4.5 and oss 1.5 kWh, IT energy is 9 kWh in
        // all, so each product's share of the site's energy equals its IT energy: ecs 4.5, oss 1.5,
        // ref 3. (Two shares pin down both scraped figures, not just their ratio.)
        let now = Date()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let monthStart = calendar.date(from: calendar.dateComponents([.year, .month], from: now))!
        let monthEnd = calendar.date(byAdding: .month, value: 1, to: monthStart)!
        let iso = ISO8601DateFormatter()
        let month = String(iso.string(from: monthStart).prefix(7))
        let (from, to) = (iso.string(from: monthStart), iso.string(from: monthEnd))
        try await suite.postExpectingAccepted(
            "/v1/products", #"[{"product":"ref","unit":"vCPU-h","basis":"usage"}]"#, "application/json", accepted: 1)
        let metered = """
            {"source":"meter","id":"s1-grid","kind":"facility.electricity","site":"s1","start":"\(from)","end":"\(to)","value":9,"unit":"kWh"}
            {"source":"meter","id":"s1-ref-it","kind":"product.it_electricity","site":"s1","product":"ref","start":"\(from)","end":"\(to)","value":3,"unit":"kWh"}
            """
        try await suite.postExpectingAccepted("/v1/activity", metered, "application/x-ndjson", accepted: 2)
        let factor = #"{"factor":"grid.G1.any","activity":"electricity","region":"G1","value":0.5,"unit":"kgCO2e/kWh","valid_from":"2000-01-01","valid_to":"2100-01-01","source":"test","version":"1"}"#
        try await suite.postExpectingAccepted("/v1/factors", factor, "application/x-ndjson", accepted: 1)

        // The whole script and a few unchanged scrapes after it.
        try await suite.waitUntil("the endpoint was scraped through its script") { endpoint.requests >= script.count + 3 }
        try await suite.waitUntil("the scraped records were validated") {
            let health = try await suite.sources()["kepler"]
            return int(health?["records"]) ?? 0 > 0 && int(health?["records"]) == (int(health?["accepted"]) ?? 0) + (int(health?["rejected"]) ?? 0)
        }
        let health = try #require(try await suite.sources()["kepler"])
        #expect(health["kind"] as? String == "prometheus")
        #expect(int(health["errors"]) ?? 0 >= 1, "the 503 is counted: \(health)")
        #expect(int(health["rejected"]) == 0, "no record was rejected (a negative energy would be): \(health)")
        #expect(health["state"] as? String == "ok")

        try await suite.waitDrained()
        let products = try await suite.emissions("layer=product_site&from=\(month)&to=\(month)")
        expectClose(row(products, ["product": "ecs", "site": "s1"])?["energy_kwh"], 4.5, "ecs energy at s1: \(products)")
        expectClose(row(products, ["product": "oss", "site": "s1"])?["energy_kwh"], 1.5, "oss energy at s1")
        expectClose(row(products, ["product": "ref", "site": "s1"])?["energy_kwh"], 3, "ref energy at s1")
        await suite.stopAll()
    }
}
