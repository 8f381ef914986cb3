import Foundation
import Testing

/// Estimation mode end to end: usage records with resource details in a public-cloud region
/// without facility data come out of the reporter as `mode: estimated`, computed with the
/// shipped CCF coefficients and grid factors, and never summed with measured figures.
@Suite(.serialized) struct EstimationTests {
    static let products = """
        [{"product":"ec2","unit":"vCPU-h"},{"product":"ebs","unit":"GB-h"}]
        """
    /// 720 vCPU-h over 720 hours of January and 720,000 GB-h (= 720 TB-h) of SSD, both aws us-east-1.
    static let usage = """
        {"source":"billing","id":"acme-ec2","kind":"usage","tenant":"A","product":"ec2","region":"us-east-1","provider":"aws","resource_type":"compute","start":"2024-01-01T00:00:00Z","end":"2024-01-31T00:00:00Z","value":720,"unit":"vCPU-h"}
        {"source":"billing","id":"acme-ebs","kind":"usage","tenant":"A","product":"ebs","region":"us-east-1","provider":"aws","resource_type":"ssd","replication":2,"start":"2024-01-01T00:00:00Z","end":"2024-01-31T00:00:00Z","value":720000,"unit":"GB-h"}
        """
    // By hand, aws: W = 0.74 + 0.5 × (3.5 − 0.74) = 2.12 W/vCPU, PUE 1.135, us-east-1 grid 0.000379069 t/kWh.
    // ec2: 2.12 × 720 × 1.135 / 1000 = 1.732464 kWh → × 0.379069 kg/kWh
    // ebs: 720 TB-h × 1.2 Wh × 1.135 × 2 replicas / 1000 = 1.961280 kWh → × 0.379069
    static let ec2KWh = 2.12 * 720 * 1.135 / 1000
    static let ebsKWh = 720 * 1.2 * 1.135 * 2 / 1000
    static let grid = 0.379069

    @Test func estimatedUsageIsReportedApartFromMeasured() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        // The measured fixture (tenant A uses ecs and oss in r1) ...
        try await suite.declareFixture()
        try await suite.postExpectingAccepted("/v1/activity", Fixture.usageCSV, "text/csv", accepted: 2)
        // ... and A's public-cloud usage, estimated.
        try await suite.postExpectingAccepted("/v1/products", Self.products, "application/json", accepted: 2)
        try await suite.postExpectingAccepted("/v1/activity", Self.usage, "application/x-ndjson", accepted: 2)
        try await suite.waitDrained()

        let tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        let ec2 = try #require(row(tenants, ["tenant": "A", "product": "ec2", "region": "us-east-1"]), "\(tenants)")
        #expect(ec2["mode"] as? String == "estimated")
        expectClose(ec2["energy_kwh"], Self.ec2KWh, "ec2 energy")
        expectClose(ec2["scope2_location"], Self.ec2KWh * Self.grid, "ec2 scope2_location")
        expectClose(ec2["scope2_market"], Self.ec2KWh * Self.grid, "ec2 scope2_market")
        expectClose(ec2["usage"], 720, "ec2 usage")
        let ebs = try #require(row(tenants, ["tenant": "A", "product": "ebs"]))
        expectClose(ebs["scope2_location"], Self.ebsKWh * Self.grid, "ebs scope2_location")
        let ecs = try #require(row(tenants, ["tenant": "A", "product": "ecs"]))
        #expect(ecs["mode"] as? String == "measured")

        // Grouped by tenant: one row per mode, never one sum; totals per mode.
        let answer = try await suite.json(.reporter, "/v1/emissions?group_by=tenant&from=2024-01&to=2024-01")
        let rows = try #require(answer["rows"] as? [[String: Any]])
        let estimated = try #require(row(rows, ["tenant": "A", "mode": "estimated"]), "\(rows)")
        expectClose(estimated["scope2_location"], (Self.ec2KWh + Self.ebsKWh) * Self.grid, "A estimated")
        let measured = try #require(row(rows, ["tenant": "A", "mode": "measured"]))
        // Tenant B's usage is not sent here, so A takes all of ecs (share 1) and 0.25 of oss.
        expectClose(measured["scope2_location"], Fixture.ecsJan.location + Fixture.shareAoss * Fixture.ossJan.location, "A measured")
        let totals = try #require(answer["totals"] as? [String: Any])
        expectClose((totals["estimated"] as? [String: Any])?["scope2_location"], (Self.ec2KWh + Self.ebsKWh) * Self.grid, "estimated total")
        #expect(totals["measured"] != nil)

        // mode= filters.
        let onlyEstimated = try await suite.emissions("group_by=tenant&mode=estimated")
        #expect(onlyEstimated.count == 1)
        // The product layer is the provider's measured view: no estimated product rows.
        let products = try await suite.emissions("layer=product&from=2024-01&to=2024-01")
        #expect(row(products, ["product": "ec2"]) == nil)
        await suite.stopAll()
    }
}
