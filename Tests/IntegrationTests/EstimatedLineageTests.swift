import Foundation
import Testing

/// Lineage of estimated (CCF estimation mode) tenant cells end to end: the reporter's estimated
/// cells are recomputed from the calculator's `GET /v1/lineage?layer=tenant` output ALONE —
/// each usage record's amount × unit scale, the named CCF coefficients by the profile's
/// formula, × the grid factors the terms name — with no engine code.
@Suite(.serialized) struct EstimatedLineageTests {
    static let products = """
        [{"product":"ec2","unit":"vCPU-h"},{"product":"ebs","unit":"GB-h"}]
        """
    /// Two ec2 records of tenant A with different profiles (one CASCADE_LAKE at 30 %, replicated
    /// twice; one provider average) and SSD storage in GB-h, all aws us-east-1.
    static let usage = """
        {"source":"billing","id":"a-ec2-1","kind":"usage","tenant":"A","product":"ec2","region":"us-east-1","provider":"aws","resource_type":"compute","processor":"CASCADE_LAKE","utilization":0.3,"replication":2,"start":"2024-01-03T05:00:00Z","end":"2024-01-20T17:00:00Z","value":1234.5,"unit":"vCPU-h"}
        {"source":"billing","id":"a-ec2-2","kind":"usage","tenant":"A","product":"ec2","region":"us-east-1","provider":"aws","resource_type":"compute","start":"2024-01-01T00:00:00Z","end":"2024-02-05T00:00:00Z","value":720,"unit":"vCPU-h"}
        {"source":"billing","id":"a-ebs","kind":"usage","tenant":"A","product":"ebs","region":"us-east-1","provider":"aws","resource_type":"ssd","replication":2,"start":"2024-01-01T00:00:00Z","end":"2024-01-31T00:00:00Z","value":720000,"unit":"GB-h"}
        """

    /// The cell's figures from its lineage alone, by the formulas it states.
    static func recompute(_ cell: [String: Any]) throws -> [String: Double] {
        let estimation = try #require(cell["estimation"] as? [String: Any])
        var profiles: [String: [String: Any]] = [:]
        for profile in estimation["profiles"] as? [[String: Any]] ?? [] { profiles[profile["key"] as? String ?? ""] = profile }
        var energy = 0.0, location = 0.0, market = 0.0
        for term in try #require(estimation["terms"] as? [[String: Any]]) {
            let profile = try #require(profiles[term["profile"] as? String ?? ""])
            var c: [String: Double] = [:]
            for coefficient in profile["coefficients"] as? [[String: Any]] ?? [] {
                #expect(coefficient["name"] is String && coefficient["version"] is String && coefficient["source"] is String)
                c[coefficient["symbol"] as? String ?? ""] = coefficient["value"] as? Double
            }
            #expect(term["source"] is String && term["id"] is String && term["revision"] is Int)
            let quantity = try #require(term["amount"] as? Double) * (profile["unit_scale"] as? Double ?? .nan)
            func k(_ name: String) -> Double { c[name] ?? .nan }
            let kWh: Double
            switch profile["resource"] as? String {
            case "compute": kWh = quantity * (k("min_watts") + k("utilization") * (k("max_watts") - k("min_watts"))) * k("pue") * k("replication") / 1000
            case "memory": kWh = quantity * k("kwh_per_gb_h") * k("pue") * k("replication")
            case "ssd", "hdd": kWh = quantity * k("wh_per_tb_h") * k("pue") * k("replication") / 1000
            case "network": kWh = quantity * k("kwh_per_gb") * k("pue")
            default: kWh = .nan
            }
            let locationFactor = term["location"] as? [String: Any]
            #expect(locationFactor?["factor"] is String && locationFactor?["version"] is String)
            energy += kWh
            location += kWh * ((locationFactor?["value"] as? Double) ?? 0)
            market += kWh * (((term["market"] as? [String: Any])?["value"] as? Double) ?? 0)
        }
        return ["scope1": 0, "scope2_location": location, "scope2_market": market, "scope3": 0, "energy_kwh": energy]
    }

    @Test func estimatedCellsRecomputeFromLineageAlone() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()
        try await suite.postExpectingAccepted("/v1/products", Self.products, "application/json", accepted: 2)
        try await suite.postExpectingAccepted("/v1/activity", Self.usage, "application/x-ndjson", accepted: 3)
        try await suite.waitDrained()

        let tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        for product in ["ec2", "ebs"] {
            let reported = try #require(row(tenants, ["tenant": "A", "product": product, "region": "us-east-1"]), "\(tenants)")
            #expect(reported["mode"] as? String == "estimated")
            let cell = try await suite.json(.calculator, "/v1/lineage?layer=tenant&tenant=A&product=\(product)&region=us-east-1&month=2024-01")
            #expect(cell["mode"] as? String == "estimated")
            #expect(cell["formula"] is [String: String])
            let figures = try Self.recompute(cell)
            for scope in ["scope1", "scope2_location", "scope2_market", "scope3", "energy_kwh"] {
                let expected = try #require(reported[scope] as? Double, "\(product) \(scope)")
                let actual = figures[scope] ?? .nan
                #expect(abs(actual - expected) <= 1e-9 * abs(expected), "\(product) \(scope): lineage \(actual), reported \(expected)")
            }
            #expect((figures["scope2_location"] ?? 0) > 0)
            // The tenant's usage is the sum of the lineage's usage records.
            let usage = (cell["usage"] as? [[String: Any]] ?? []).reduce(0.0) { $0 + ($1["amount"] as? Double ?? 0) }
            let reportedUsage = try #require(reported["usage"] as? Double)
            #expect(abs(usage - reportedUsage) <= 1e-9 * reportedUsage)
        }
        // The ec2 cell names both profiles and the shipped coefficients.
        let ec2 = try await suite.json(.calculator, "/v1/lineage?layer=tenant&tenant=A&product=ec2&region=us-east-1&month=2024-01")
        let profiles = (ec2["estimation"] as? [String: Any])?["profiles"] as? [[String: Any]] ?? []
        #expect(profiles.count == 2)
        let names = Set(profiles.flatMap { ($0["coefficients"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } })
        #expect(names.isSuperset(of: ["ccf.aws.CASCADE_LAKE.min_watts", "ccf.aws.min_watts", "ccf.aws.pue.average"]))
        await suite.stopAll()
    }
}
