import Foundation
import Testing

/// Reports and analysis from the real reporter over the Fixture dataset: totals equal the
/// ledger, every scope is in the HTML, the same request gives the same bytes, and the
/// analysis matches figures computed by hand.
@Suite(.serialized) struct ReportTests {
    private func loadFixture(_ suite: SuiteProcess) async throws {
        try await suite.start()
        try await suite.postExpectingAccepted("/v1/sites", Fixture.sites, "application/json", accepted: 2)
        try await suite.postExpectingAccepted("/v1/products", Fixture.products, "application/json", accepted: 2)
        try await suite.postExpectingAccepted("/v1/factors", Fixture.factors, "application/x-ndjson", accepted: 4)
        try await suite.postExpectingAccepted("/v1/activity", Fixture.facility, "application/x-ndjson", accepted: 10)
        try await suite.postExpectingAccepted("/v1/activity", Fixture.usageCSV, "text/csv", accepted: 2)
        try await suite.postExpectingAccepted("/v1/activity", Fixture.usageZMQ, "application/json", accepted: 1)
        try await suite.waitDrained()
    }

    private func text(_ suite: SuiteProcess, _ path: String) async throws -> String {
        let (status, data) = try await suite.get(.reporter, path)
        #expect(status == 200, "GET \(path): \(String(decoding: data, as: UTF8.self))")
        return String(decoding: data, as: UTF8.self)
    }

    @Test func reportTotalsEqualTheLedgerAndRepeatByteForByte() async throws {
        let suite = try SuiteProcess()
        try await loadFixture(suite)
        let scopes = ["scope1", "scope2_location", "scope2_market", "scope3", "total_location", "total_market", "energy_kwh"]

        // Tenant A, first quarter: the report's totals are the ledger's.
        let report = try await suite.json(.reporter, "/v1/reports?period=2024-Q1&tenant=A")
        #expect(report["period"] as? String == "2024-Q1")
        let sections = try #require(report["sections"] as? [[String: Any]])
        let measured = try #require(sections.first { $0["mode"] as? String == "measured" })
        let totals = try #require(measured["totals"] as? [String: Any])
        let ledger = try await suite.json(.reporter, "/v1/emissions?group_by=tenant&tenant=A&from=2024-01&to=2024-03")
        let ledgerTotals = try #require((ledger["totals"] as? [String: Any])?["measured"] as? [String: Any])
        for scope in scopes { expectClose(totals[scope], (ledgerTotals[scope] as? Double) ?? .nan, "A \(scope)") }
        // And by hand: A's January location-based total = 0.75 × ecs + 0.25 × oss.
        let ecs = Fixture.ecsJan, oss = Fixture.ossJan
        expectClose(
            totals["total_location"], 0.75 * (ecs.scope1 + ecs.location + ecs.scope3) + 0.25 * (oss.scope1 + oss.location), "A total by hand")
        // Products add up to the totals.
        let products = try #require(measured["by_product"] as? [[String: Any]])
        expectClose(products.reduce(0.0) { $0 + (($1["total_market"] as? Double) ?? 0) }, (totals["total_market"] as? Double) ?? .nan, "A products")

        // The provider, whole year: the data-center layer's totals, with unallocated inside.
        let provider = try await suite.json(.reporter, "/v1/reports?period=2024")
        let providerTotals = try #require(((provider["sections"] as? [[String: Any]])?.first)?["totals"] as? [String: Any])
        let sites = try await suite.json(.reporter, "/v1/emissions?layer=site&group_by=site&from=2024-01&to=2024-12")
        let siteTotals = try #require((sites["totals"] as? [String: Any])?["measured"] as? [String: Any])
        for scope in scopes { expectClose(providerTotals[scope], (siteTotals[scope] as? Double) ?? .nan, "provider \(scope)") }
        // By hand: s1 Jan 27 + 560, s2 Jan 250, Feb s1 72, and s2's 1200 kg of embodied hardware,
        // whose 12-month life (January to December) lies wholly in 2024.
        expectClose(providerTotals["total_location"], 27 + 560 + 250 + 72 + 1200, "provider by hand")
        let providerProducts = try #require(((provider["sections"] as? [[String: Any]])?.first)?["by_product"] as? [[String: Any]])
        expectClose(
            providerProducts.reduce(0.0) { $0 + (($1["total_location"] as? Double) ?? 0) }, (providerTotals["total_location"] as? Double) ?? .nan,
            "provider products + not allocated")

        // The factors behind the figures, with the values the calculator used.
        let factors = try #require(report["factors"] as? [[String: Any]])
        let grid = try #require(factors.first { $0["factor"] as? String == "grid.G1.jan" }, "\(factors)")
        expectClose(grid["value"], 0.5, "grid factor")

        // HTML: self-contained and every scope there, both scope 2 methods side by side.
        let html = try await text(suite, "/v1/reports?period=2024-Q1&tenant=A&format=html")
        for needle in ["Scope 1", "Scope 2", "Scope 3", "Location-based", "Market-based", "ISO 14064-1", "<svg", "grid.G1.jan", "Methodology"] {
            #expect(html.contains(needle), "HTML lacks \(needle)")
        }
        for forbidden in ["<script", "src=", "href=", "<link", "@import"] { #expect(!html.contains(forbidden), "HTML has \(forbidden)") }
        let providerHTML = try await text(suite, "/v1/reports?period=2024-01&format=html")
        #expect(providerHTML.contains("Scope 3 — embodied hardware") && providerHTML.contains("not allocated to a product"))

        // Byte-identical answers to identical requests, in every format.
        for format in ["json", "csv", "html"] {
            for subject in ["&tenant=A", ""] {
                let path = "/v1/reports?period=2024-Q1\(subject)&format=\(format)"
                let first = try await suite.get(.reporter, path).1
                let second = try await suite.get(.reporter, path).1
                #expect(first == second && !first.isEmpty, "\(path) differs between two requests")
            }
        }
        let csv = try await text(suite, "/v1/reports?period=2024-Q1&tenant=A&format=csv")
        #expect(csv.hasPrefix("period,subject,section,mode,key,scope1,scope2_location,scope2_market,scope3"))
        #expect(csv.contains("2024-Q1,tenant A,total,measured,"))

        let (badStatus, _) = try await suite.get(.reporter, "/v1/reports?period=2024-Q5")
        #expect(badStatus == 400)
        await suite.stopAll()
    }

    @Test func analysisTrendAgainstHandFigures() async throws {
        let suite = try SuiteProcess()
        try await loadFixture(suite)
        let analysis = try await suite.json(.reporter, "/v1/analysis?from=2024-01&to=2024-02")
        let trend = try #require(analysis["trend"] as? [[String: Any]])
        #expect(trend.count == 2)
        // Provider, location-based: January 27 + 560 + 250 + 1200 × 31/366; February 72 + 1200 × 29/366.
        let jan = 837 + Fixture.s2EmbodiedJan, feb = 72 + Fixture.s2EmbodiedFeb
        expectClose(trend[0]["kgco2e"], jan, "January")
        expectClose(trend[1]["kgco2e"], feb, "February")
        expectClose(trend[1]["mom_change"], feb - jan, "month over month")
        expectClose(trend[1]["mom_change_percent"], (feb - jan) / jan * 100, "month over month %")
        #expect(trend[0]["yoy_change"] is NSNull, "no 2023 data: no year-over-year change")
        // Top tenant: A (0.75 × ecs + 0.25 × oss) before B (0.25 × ecs).
        let tenants = try #require((analysis["top_contributors"] as? [String: Any])?["tenant"] as? [[String: Any]])
        #expect(tenants.map { $0["name"] as? String } == ["A", "B"])
        // Intensity of tenant A's ecs in January: its emissions ÷ 30 vCPU-h.
        let a = try await suite.json(.reporter, "/v1/analysis?from=2024-01&to=2024-01&tenant=A")
        let intensity = try #require((a["intensity"] as? [[String: Any]])?.first { $0["product"] as? String == "ecs" })
        let ecs = Fixture.ecsJan
        expectClose(intensity["kgco2e_per_usage_unit"], 0.75 * (ecs.scope1 + ecs.location + ecs.scope3) / 30, "kg per vCPU-h")
        await suite.stopAll()
    }
}
