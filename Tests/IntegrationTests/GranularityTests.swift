import Foundation
import Testing

/// Results by hour and by day through the real services: for every layer, the hourly and the
/// daily rows of a cell sum to its monthly row.
@Suite(.serialized) struct GranularityTests {
    @Test func hourlyAndDailyRowsSumToMonthly() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()
        try await suite.postExpectingAccepted("/v1/activity", Fixture.usageCSV, "text/csv", accepted: 2)
        try await suite.postExpectingAccepted("/v1/products", EstimationTests.products, "application/json", accepted: 2)
        try await suite.postExpectingAccepted("/v1/activity", EstimationTests.usage, "application/x-ndjson", accepted: 2)
        try await suite.waitDrained()

        let scopes = [
            "scope1", "scope2_location", "scope2_market", "scope3", "energy_kwh", "total_location", "total_market", "scope2_market_hourly",
            "total_market_hourly", "cfe_kwh",
        ]
        let views: [(layer: String, keys: [String])] = [
            ("site", ["site", "region", "month"]), ("product_site", ["product", "site", "region", "month"]),
            ("product", ["product", "region", "month"]), ("tenant", ["tenant", "product", "region", "month"]),
        ]
        for view in views {
            let monthly = try await suite.emissions("layer=\(view.layer)")
            #expect(!monthly.isEmpty, "\(view.layer)")
            for granularity in ["hour", "day"] {
                let fine = try await suite.emissions("layer=\(view.layer)&granularity=\(granularity)")
                #expect(fine.allSatisfy { $0[granularity] is String }, "\(view.layer) by \(granularity)")
                for cell in monthly {
                    var keys: [String: String] = ["mode": cell["mode"] as? String ?? ""]
                    for key in view.keys { keys[key] = cell[key] as? String }
                    let parts = fine.filter { part in keys.allSatisfy { part[$0.key] as? String == $0.value } }
                    for scope in scopes {
                        let sum = parts.reduce(0.0) { $0 + (($1[scope] as? Double) ?? 0) }
                        expectClose(sum, (cell[scope] as? Double) ?? .nan, "\(view.layer) \(keys) \(scope) by \(granularity)")
                    }
                    if view.layer == "product" || view.layer == "site" {
                        let unallocated = parts.reduce(0.0) { $0 + ((($1["unallocated"] as? [String: Any])?["total_location"] as? Double) ?? 0) }
                        expectClose(unallocated, ((cell["unallocated"] as? [String: Any])?["total_location"] as? Double) ?? .nan, "\(view.layer) \(keys) unallocated by \(granularity)")
                    }
                }
            }
        }
        // The diesel burned at s1 on 2024-01-15 00:00–01:00 is in that hour: 10 L × 2.7 = 27 kg.
        let hours = try await suite.emissions("layer=site&site=s1&granularity=hour&from=2024-01&to=2024-01")
        let dieselHour = try #require(row(hours, ["hour": "2024-01-15T00:00:00Z"]))
        expectClose(dieselHour["scope1"], 27, "s1 scope1 in the diesel hour")
        #expect(row(hours, ["hour": "2024-01-15T01:00:00Z"])?["scope1"] as? Double == 0)
        let (status, _) = try await suite.get(.reporter, "/v1/emissions?granularity=week")
        #expect(status == 400)
        await suite.stopAll()
    }
}
