import Foundation
import GRDB
import Testing

/// A value that makes a region-month's figures infinite stalls nothing: the collector refuses
/// such a factor at the edge, and should one reach the calculator anyway (here: written into its
/// store, as an older version of the suite let through), the region-month is recorded as failed
/// and shown, once, instead of being retried ten times a second; a revised factor clears it.
@Suite(.serialized) struct PoisonValueTests {
    @Test func aFactorThatOverflowsIsRefusedAndAFailedRegionMonthNeitherLoopsNorBlocksTheDrain() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.loadFixture(usage: false)
        // At the edge: refused, naming the field.
        let huge = #"{"factor":"grid.G1.jan","activity":"electricity","region":"G1","value":1e308,"unit":"kgCO2e/kWh","valid_from":"2024-01-01","valid_to":"2024-02-01","source":"test","version":"9"}"#
        let (status, data) = try await suite.post(.collector, "/v1/factors", body: Data(huge.utf8), contentType: "application/x-ndjson")
        let verdict = (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        #expect(status == 200)
        #expect((verdict["rejected"] as? [[String: Any]])?.first?["field"] as? String == "value", "\(verdict)")
        try await suite.waitDrained()

        // Poison the calculator's own copy of the January grid factor and mark r1 2024-01 dirty.
        await suite.stop(.calculator)
        let store = try DatabaseQueue(path: suite.dataDir.appendingPathComponent("calculator-1.sqlite").path)
        try await store.write { db in
            let stored = try #require(try Data.fetchOne(db, sql: "SELECT declaration FROM factors WHERE factor = 'grid.G1.jan'"))
            var factor = try #require(try JSONSerialization.jsonObject(with: stored) as? [String: Any])
            factor["value"] = 1e308
            try db.execute(
                sql: "UPDATE factors SET declaration = ? WHERE factor = 'grid.G1.jan'",
                arguments: [try JSONSerialization.data(withJSONObject: factor, options: [.sortedKeys])])
            try db.execute(sql: "INSERT OR REPLACE INTO dirty (region, month, generation, first_marked_ms, last_marked_ms) VALUES ('r1', '2024-01', 1, 0, 0)")
        }
        try store.close()
        try await suite.start([.calculator])
        try await suite.waitUntil("the calculator reports r1 2024-01 as failed") {
            let details = try await suite.json(.calculator, "/health")["details"] as? [String: Any]
            return details?["failed_region_months"] as? String == "1"
        }
        try await suite.waitDrained()
        // Some more rounds of the recalculation loop pass: still one failure logged, no retry loop.
        try await Task.sleep(for: .seconds(2))
        let failures = suite.log(.calculator).components(separatedBy: "calculation failed").count - 1
        #expect(failures == 1, "the failed region-month was tried \(failures) times")
        let details = try await suite.json(.calculator, "/health")["details"] as? [String: Any]
        #expect((details?["failures"] as? String)?.contains("r1/2024-01") == true, "\(details ?? [:])")
        #expect((details?["failures"] as? String)?.contains("not finite") == true, "\(details ?? [:])")

        // A revised factor marks the region-month again; it calculates and the failure clears.
        let revised = #"{"factor":"grid.G1.jan","activity":"electricity","region":"G1","value":0.4,"unit":"kgCO2e/kWh","valid_from":"2024-01-01","valid_to":"2024-02-01","source":"test","version":"2"}"#
        try await suite.postExpectingAccepted("/v1/factors", revised, "application/x-ndjson", accepted: 0)
        try await suite.waitUntil("the failure clears") {
            let details = try await suite.json(.calculator, "/health")["details"] as? [String: Any]
            return details?["failed_region_months"] as? String == "0"
        }
        try await suite.waitDrained()
        let sites = try await suite.emissions("layer=site&from=2024-01&to=2024-01&group_by=site")
        expectClose(row(sites, ["site": "s1"])?["scope2_location"], 1120 * 0.4, "s1 January location at the revised factor")
        await suite.stopAll()
    }
}
