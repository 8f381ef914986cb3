import Foundation
import Testing

/// `GET /v1/forecast` and `GET /v1/budgets?method=` with both methods over thirteen months of a
/// tenant's results, figures by hand: tenant A is the only user of ecs, the only product with IT
/// energy at s1, so A's month = s1's grid kWh × 1 kg/kWh.
@Suite(.serialized) struct ForecastTests {
    /// Jan 2023 … Dec 2023: 100, 200, …, 1200 kWh; Jan 2024: 50 kWh.
    static func records() -> String {
        var lines: [String] = []
        for index in 0..<13 {
            let year = 2023 + index / 12, month = index % 12 + 1
            let next = index + 1
            let start = String(format: "%04d-%02d-01T00:00:00Z", year, month)
            let end = String(format: "%04d-%02d-01T00:00:00Z", 2023 + next / 12, next % 12 + 1)
            let kWh = index < 12 ? Double(index + 1) * 100 : 50
            lines.append(
                #"{"source":"f","id":"grid-\#(index)","kind":"facility.electricity","site":"s1","start":"\#(start)","end":"\#(end)","value":\#(kWh),"unit":"kWh"}"#)
            lines.append(
                #"{"source":"f","id":"it-\#(index)","kind":"product.it_electricity","site":"s1","product":"ecs","start":"\#(start)","end":"\#(end)","value":10,"unit":"kWh"}"#)
            lines.append(
                #"{"source":"f","id":"use-\#(index)","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"\#(start)","end":"\#(end)","value":5,"unit":"vCPU-h"}"#)
        }
        return lines.joined(separator: "\n")
    }

    static let factor = #"{"factor":"grid.G1.flat","activity":"electricity","region":"G1","value":1,"unit":"kgCO2e/kWh","valid_from":"2022-01-01","valid_to":"2026-01-01","source":"test","version":"1"}"#

    @Test func seasonalNaiveAndLinearOverThirteenMonths() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        for (path, body, type) in [
            ("/v1/sites", Fixture.sites, "application/json"), ("/v1/products", Fixture.products, "application/json"),
            ("/v1/factors", Self.factor, "application/x-ndjson"), ("/v1/activity", Self.records(), "application/x-ndjson"),
        ] {
            let (status, data) = try await suite.post(.collector, path, body: Data(body.utf8), contentType: type)
            #expect(status == 200, "\(path): \(String(decoding: data, as: UTF8.self))")
        }
        try await suite.waitDrained()

        func forecast(_ query: String) async throws -> [String: Any] { try await suite.json(.reporter, "/v1/forecast?\(query)") }
        func values(_ answer: [String: Any], _ key: String) -> [String: Double] {
            var out: [String: Double] = [:]
            for item in answer[key] as? [[String: Any]] ?? [] { out[item["month"] as? String ?? ""] = item["kgco2e"] as? Double }
            return out
        }
        let seasonal = try await forecast("tenant=A&months=2&method=seasonal_naive")
        #expect(seasonal["method_applied"] as? String == "seasonal_naive")
        #expect(values(seasonal, "history").count == 13)
        let s = values(seasonal, "forecast")
        // Feb 2024 = Feb 2023 = 200 kg; Mar 2024 = Mar 2023 = 300 kg.
        expectClose(s["2024-02"], 200, "seasonal Feb 2024")
        expectClose(s["2024-03"], 300, "seasonal Mar 2024")

        // Linear over the 13 months y = 100…1200, 50 (x = 0…12): x̄ = 6, ȳ = 7850/13;
        // Σ(x−x̄)(y−ȳ) = Σx·y − 13·x̄·ȳ = (Σ_{k=0}^{11} k·100(k+1) + 12·50) − 6·7850 = 57200 + 600 − 47100 = 10700;
        // Σ(x−x̄)² = 182 → b = 10700/182; a = ȳ − 6b; Feb 2024 (x = 13) = a + 13b = ȳ + 7b.
        let b = 10_700.0 / 182.0, meanY = 7_850.0 / 13.0
        let linear = try await forecast("tenant=A&months=2&method=linear")
        #expect(linear["method_applied"] as? String == "linear")
        expectClose(values(linear, "forecast")["2024-02"], meanY + 7 * b, "linear Feb 2024")
        expectClose(values(linear, "forecast")["2024-03"], meanY + 8 * b, "linear Mar 2024")

        // Budgets say which forecast they used; an unknown method is refused.
        _ = try await suite.post(.reporter, "/v1/budgets", body: Data(#"{"tenant":"A","month":"2024-03","kgco2e":1000}"#.utf8), contentType: "application/json")
        let budgets = try await suite.json(.reporter, "/v1/budgets?tenant=A&method=seasonal_naive")
        let budget = try #require((budgets["budgets"] as? [[String: Any]])?.first)
        #expect(budget["forecast_method"] as? String == "seasonal_naive")
        expectClose(budget["forecast_kgco2e"], 300, "budget month's seasonal forecast")
        #expect(try await suite.get(.reporter, "/v1/forecast?tenant=A&method=holt").0 == 400)
        #expect(try await suite.get(.reporter, "/v1/budgets?method=holt").0 == 400)
        await suite.stopAll()
    }
}
