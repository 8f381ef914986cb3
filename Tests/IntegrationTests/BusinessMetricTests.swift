import Foundation
import Testing

/// Business metrics a tenant uploads, and emissions per unit of them, against the real suite
/// with authentication required: figures by hand from the ledger, and each role limited to
/// what it may do.
@Suite(.serialized) struct BusinessMetricTests {
    @Test func intensityPerBusinessMetricWithRoles() async throws {
        let suite = try SuiteProcess(extraArguments: SuiteProcess.secured())
        try await suite.start()
        let admin = try await suite.loginToken("admin", try suite.bootstrapPassword())
        suite.credential = admin  // /v1/status, polled by waitDrained, needs a credential under --require-auth
        let password = "business metrics passphrase"
        for (user, role) in [("ta", "tenant_admin"), ("an", "analyst")] {
            let (status, body) = try await suite.administer("/v1/users", ["username": user, "password": password, "role": role, "tenant": "A"], token: admin)
            #expect(status == 201, "\(body)")
        }
        for (path, data, type) in [
            ("/v1/sites", Fixture.sites, "application/json"), ("/v1/products", Fixture.products, "application/json"),
            ("/v1/factors", Fixture.factors, "application/x-ndjson"), ("/v1/activity", Fixture.facility, "application/x-ndjson"),
            ("/v1/activity", Fixture.usageCSV, "text/csv"),
        ] {
            let (status, answer) = try await suite.post(.collector, path, body: Data(data.utf8), contentType: type, headers: suite.bearer(admin))
            #expect(status == 200, "\(path): \(String(decoding: answer, as: UTF8.self))")
        }
        try await suite.waitDrained()
        let tenantAdmin = try await suite.loginToken("ta", password)
        let analyst = try await suite.loginToken("an", password)

        func post(_ body: String, _ token: String?) async throws -> Int {
            try await suite.post(.reporter, "/v1/business-metrics", body: Data(body.utf8), contentType: "application/json", headers: suite.bearer(token)).0
        }
        // A's orders: 1,000 in January, none reported for February, 0 in March.
        let orders = #"[{"tenant":"A","month":"2024-01","metric":"orders","value":1000,"unit":"order"},{"tenant":"A","month":"2024-03","metric":"orders","value":0,"unit":"order"}]"#
        #expect(try await post(orders, nil) == 401)
        #expect(try await post(orders, analyst) == 403, "an analyst reads, does not write")
        #expect(try await post(#"{"tenant":"B","month":"2024-01","metric":"orders","value":5,"unit":"order"}"#, tenantAdmin) == 403)
        #expect(try await post(#"{"tenant":"A","month":"2024-13","metric":"orders","value":5,"unit":"order"}"#, tenantAdmin) == 400)
        #expect(try await post(#"{"tenant":"A","month":"2024-01","metric":"orders","value":-1,"unit":"order"}"#, tenantAdmin) == 400)
        #expect(try await post(orders, tenantAdmin) == 200)

        // By hand: A's January location-based total from the ledger ÷ 1,000 orders.
        let (_, emissions) = try await suite.request(
            .reporter, "/v1/emissions?layer=tenant&tenant=A&group_by=month&mode=measured", method: "GET", headers: suite.bearer(admin))
        let rows = (try JSONSerialization.jsonObject(with: emissions) as? [String: Any])?["rows"] as? [[String: Any]] ?? []
        let january = try #require(rows.first { $0["month"] as? String == "2024-01" }?["total_location"] as? Double)
        #expect(january > 0)

        let (status, data) = try await suite.request(
            .reporter, "/v1/intensity?tenant=A&metric=orders&from=2024-01&to=2024-03", method: "GET", headers: suite.bearer(analyst))
        #expect(status == 200, "\(String(decoding: data, as: UTF8.self))")
        let answer = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(answer["unit"] as? String == "kgCO2e/order")
        let months = try #require(answer["months"] as? [[String: Any]])
        #expect(months.map { $0["month"] as? String } == ["2024-01", "2024-02", "2024-03"])
        expectClose(months[0]["intensity"], january / 1000, "January kg per order")
        #expect(months[1]["intensity"] is NSNull && months[2]["intensity"] is NSNull)
        // Period: only January has a value above 0.
        let period = try #require(answer["period"] as? [String: Any])
        expectClose(period["intensity"], january / 1000, "period kg per order")
        expectClose(period["value"], 1000, "period orders")

        // A tenant's analyst reads only its own tenant; the provider reads any.
        #expect(try await suite.request(.reporter, "/v1/intensity?tenant=B&metric=orders&from=2024-01&to=2024-01", method: "GET", headers: suite.bearer(analyst)).0 == 403)
        let (listStatus, list) = try await suite.request(.reporter, "/v1/business-metrics", method: "GET", headers: suite.bearer(analyst))
        #expect(listStatus == 200)
        let listed = (try JSONSerialization.jsonObject(with: list) as? [String: Any])?["business_metrics"] as? [[String: Any]] ?? []
        #expect(listed.count == 2 && listed.allSatisfy { $0["tenant"] as? String == "A" })
        #expect(try await suite.request(.reporter, "/v1/business-metrics?tenant=A", method: "GET", headers: suite.bearer(admin)).0 == 200)
        await suite.stopAll()
    }

    /// Metric values that are each finite but add up beyond the range of
    /// a number get a 422 naming the figure, not `200 {}`.
    @Test func intensityBeyondTheRangeOfANumberIsAnError() async throws {
        let suite = try SuiteProcess()
        try await suite.start([.auth, .collector, .reporter])
        let huge = #"[{"tenant":"A","month":"2024-01","metric":"orders","value":1e308,"unit":"order"},{"tenant":"A","month":"2024-02","metric":"orders","value":1e308,"unit":"order"}]"#
        let (stored, _) = try await suite.post(.reporter, "/v1/business-metrics", body: Data(huge.utf8), contentType: "application/json")
        #expect(stored == 200)
        let (status, data) = try await suite.get(.reporter, "/v1/intensity?tenant=A&metric=orders&from=2024-01&to=2024-02")
        let answer = String(decoding: data, as: UTF8.self)
        #expect(status == 422, "\(answer)")
        #expect(answer.contains("the sum of the metric's values over the period is beyond the range of a number"), "\(answer)")
        await suite.stopAll()
    }
}
