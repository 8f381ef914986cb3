import Foundation
import Testing

/// `carbonctl explain` against a real suite: the human-readable lineage of a site-month names
/// each record and factor and ends with the figures computed by hand in `Fixture`.
@Suite(.serialized) struct ExplainCommandTests {
    private func carbonctl(_ suite: SuiteProcess, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try suite.carbonctl(arguments)
    }

    @Test func explainPrintsTermsFactorsAndTheHandComputedTotals() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()
        try await suite.waitDrained()

        let run = try carbonctl(suite, ["explain", "--site", "s1", "--month", "2024-01"])
        #expect(run.status == 0, "\(run.stderr)")
        let text = run.stdout
        // s1 in January (Fixture): scope 1 = 27, location 560, market 576, energy 1120.
        for expected in [
            "Lineage of site s1 (region r1, grid G1), 2024-01",
            "Grid electricity 1120.000 kWh; certificates 400.000 kWh.",
            "meter/s1-diesel rev 1 (facility.fuel): 10.000 × 2.7 kgCO2e/L [diesel v1, test] = 27.000",
            "meter/s1-grid-straddle rev 1 (facility.electricity): 120.000 × 0.5 kgCO2e/kWh [grid.G1.jan v1, test] = 60.000",
            "Total scope 1: 27.000 kg CO2e",
            "Total scope 2 location-based: 560.000 kg CO2e",
            "Total scope 2 market-based: 576.000 kg CO2e",
            "Total energy: 1120.000 kWh",
            "Total location-based = scope 1 + scope 2 location + scope 3 = 587.000 kg CO2e",
        ] {
            #expect(text.contains(expected), "explain output lacks: \(expected)\n\(text)")
        }
        let json = try carbonctl(suite, ["explain", "--site", "s1", "--month", "2024-01", "--format", "json"])
        #expect(json.status == 0 && (try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil)
        let unknown = try carbonctl(suite, ["explain", "--site", "nowhere", "--month", "2024-01"])
        #expect(unknown.status == 2 && unknown.stderr.contains("404"))
        let bad = try carbonctl(suite, ["explain", "--site", "s1", "--month", "2024-13"])
        #expect(bad.status != 0 && bad.stderr.contains("--month"))
        let help = try carbonctl(suite, ["explain", "--help"])
        #expect(help.stdout.contains("--site") && help.stdout.contains("lineage") && help.stdout.contains("--tenant"))

        // A tenant's cell: the weights that allocate each site to ecs, every usage record behind D,
        // and the tenant's share. A uses 30 vCPU-h of ecs in January (108,000 vCPU-s), B 10: share 0.75.
        try await suite.postExpectingAccepted("/v1/activity", Fixture.usageCSV, "text/csv", accepted: 2)
        let usageB = Fixture.usageZMQ.trimmingCharacters(in: CharacterSet(charactersIn: "[]\n"))
        try await suite.postExpectingAccepted("/v1/activity", usageB, "application/x-ndjson", accepted: 1)
        try await suite.waitDrained()
        let tenant = try carbonctl(suite, ["explain", "--tenant", "A", "--product", "ecs", "--region", "r1", "--month", "2024-01"])
        #expect(tenant.status == 0, "\(tenant.stderr)")
        for expected in [
            "tenant cell: tenant A, product ecs, region r1, 2024-01 (measured)",
            "Site s1", "ecs: 0.75", "meter/s1-ecs-it r1 product.it_electricity (site s1, product ecs): 600 kWh",
            "Usage records of every tenant (2, Σ 40 vCPU-h)", "billing/a-ecs r1 usage (product ecs, tenant A): 30 vCPU-h",
            "Basis usage: D = 40", "Tenant usage 30; share = usage / D = 0.75",
        ] {
            #expect(tenant.stdout.contains(expected), "explain --tenant lacks: \(expected)\n\(tenant.stdout)")
        }
        let product = try carbonctl(suite, ["explain", "--product", "oss", "--region", "r1", "--month", "2024-01"])
        #expect(product.status == 0 && product.stdout.contains("product cell: product oss, region r1"), "\(product.stdout) \(product.stderr)")
        let lonely = try carbonctl(suite, ["explain", "--tenant", "A", "--month", "2024-01"])
        #expect(lonely.status != 0 && lonely.stderr.contains("--tenant needs --product"))
        await suite.stopAll()
    }
}
