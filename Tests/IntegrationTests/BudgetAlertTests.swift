import Foundation
import Testing

/// Targets, budgets and alerts on the real reporter: a budget crossed by the actual and one
/// crossed by the forecast each raise exactly one alert, shown over the API and POSTed once
/// to a webhook served by the test on 127.0.0.1.
@Suite(.serialized) struct BudgetAlertTests {
    @Test func aBudgetCrossingRaisesExactlyOneAlert() async throws {
        let webhook = try WebhookReceiver()
        let suite = try SuiteProcess(extraArguments: [.reporter: ["--alert-webhook", webhook.url]])
        try await suite.start()
        try await suite.postExpectingAccepted("/v1/sites", Fixture.sites, "application/json", accepted: 2)
        try await suite.postExpectingAccepted("/v1/products", Fixture.products, "application/json", accepted: 2)
        try await suite.postExpectingAccepted("/v1/factors", Fixture.factors, "application/x-ndjson", accepted: 4)
        try await suite.postExpectingAccepted("/v1/activity", Fixture.facility, "application/x-ndjson", accepted: 10)
        try await suite.postExpectingAccepted("/v1/activity", Fixture.usageCSV, "text/csv", accepted: 2)
        try await suite.postExpectingAccepted("/v1/activity", Fixture.usageZMQ, "application/json", accepted: 1)
        try await suite.waitDrained()

        // A's January, measured, location-based: 0.75 × ecs + 0.25 × oss ≈ 630.6 kg. Its only month,
        // so the linear forecast of later months repeats it (one point of history).
        let ecs = Fixture.ecsJan, oss = Fixture.ossJan
        let january = 0.75 * (ecs.scope1 + ecs.location + ecs.scope3) + 0.25 * (oss.scope1 + oss.location)
        let budgets = """
            [{"tenant":"A","month":"2024-01","kgco2e":600},{"tenant":"A","month":"2024-02","kgco2e":1000},
             {"tenant":"A","month":"2024-03","kgco2e":630}]
            """
        let (status, _) = try await suite.post(.reporter, "/v1/budgets", body: Data(budgets.utf8), contentType: "application/json")
        #expect(status == 200)
        // Both alerts are raised and delivered (the watch runs every 2 s); after several more
        // rounds there is still one alert per crossing.
        try await suite.waitUntil("two alerts of A are raised and delivered", seconds: 120) {
            let raised = try await suite.json(.reporter, "/v1/alerts?tenant=A")["alerts"] as? [[String: Any]] ?? []
            return raised.count >= 2 && raised.allSatisfy { ($0["delivered"] as? Bool) == true }
        }
        try await Task.sleep(for: .seconds(6))
        let alerts = try #require(try await suite.json(.reporter, "/v1/alerts?tenant=A")["alerts"] as? [[String: Any]])
        #expect(alerts.map { "\($0["month"] ?? "") \($0["kind"] ?? "")" } == ["2024-01 actual", "2024-03 forecast"], "\(alerts)")
        expectClose(alerts.first?["value"], january, "actual January")
        // Setting the same budgets again changes nothing.
        _ = try await suite.post(.reporter, "/v1/budgets", body: Data(budgets.utf8), contentType: "application/json")
        try await Task.sleep(for: .seconds(3))
        let again = try #require(try await suite.json(.reporter, "/v1/alerts?tenant=A")["alerts"] as? [[String: Any]])
        #expect(again.count == 2)
        #expect(again.allSatisfy { ($0["delivered"] as? Bool) == true }, "\(again)")
        let posted = webhook.bodies.compactMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        // Delivery is at least once (a slow answer is retried), each alert under its own stable id.
        #expect(Set(posted.compactMap { $0["id"] as? Int }).count == 2, "webhook got \(posted)")
        #expect(Set(posted.compactMap { $0["month"] as? String }) == ["2024-01", "2024-03"])

        let listed = try #require(try await suite.json(.reporter, "/v1/budgets?tenant=A")["budgets"] as? [[String: Any]])
        expectClose(listed.first?["actual_kgco2e"], january, "budget view actual")
        expectClose(listed.last?["forecast_kgco2e"], january, "budget view forecast")

        // A target: baseline 2024 (A's January), −50 % by 2030; in 2024 progress is 0 % and on track.
        let target = #"{"tenant":"A","baseline_year":2024,"reduction_percent":50,"target_year":2030}"#
        let (targetStatus, _) = try await suite.post(.reporter, "/v1/targets", body: Data(target.utf8), contentType: "application/json")
        #expect(targetStatus == 200)
        let targets = try #require(try await suite.json(.reporter, "/v1/targets?tenant=A")["targets"] as? [[String: Any]])
        expectClose(targets.first?["target_kgco2e"], january / 2, "target level")
        #expect(targets.first?["on_track"] as? Bool == true)
        await suite.stopAll()
        webhook.stop()
    }
}
