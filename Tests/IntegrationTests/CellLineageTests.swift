import Foundation
import Testing

/// Lineage of product-site, product and tenant cells: the reporter's tenant (and product) cells
/// are recomputed from the calculator's `GET /v1/lineage?layer=…` output ALONE — site terms ×
/// factor values, IT weights, embodied records, capacity and usage records — with no engine code.
@Suite(.serialized) struct CellLineageTests {
    /// A second ecs tenant, so the ecs shares are not trivially 1.
    static let moreUsage = """
        {"source":"billing","id":"c-ecs","kind":"usage","tenant":"C","product":"ecs","site":"s1","start":"2024-01-10T00:00:00Z","end":"2024-01-12T00:00:00Z","value":90,"unit":"vCPU-h"}
        """

    static let scopes = ["scope1", "scope2_location", "scope2_market", "scope3", "energy_kwh"]

    /// Figures (by scope name) of a site from its lineage terms, by the formulas it states.
    static func siteFigures(_ lineage: [String: Any]) -> [String: Double] {
        let terms = lineage["terms"] as? [[String: Any]] ?? []
        func sum(_ scope: String, weighted: Bool = true) -> Double {
            terms.filter { $0["scope"] as? String == scope }.reduce(0.0) { total, term in
                let amount = term["amount"] as? Double ?? 0
                let value = ((term["factor"] as? [String: Any])?["value"] as? Double) ?? 0
                return total + (weighted ? amount * value : amount)
            }
        }
        let grid = lineage["grid_kwh"] as? Double ?? 0
        let certificates = lineage["certificates_kwh"] as? Double ?? 0
        return [
            "scope1": sum("scope1"), "scope2_location": sum("scope2_location"),
            "scope2_market": grid > 0 ? max(0, grid - certificates) * sum("residual") / grid : 0,
            "scope3": sum("scope3", weighted: false), "energy_kwh": grid + sum("renewable", weighted: false),
        ]
    }

    /// E(p,r) (or E(p,s) with one site) from the `sites` of a cell lineage.
    static func productFigures(_ cell: [String: Any], product: String) -> [String: Double] {
        var total = Dictionary(uniqueKeysWithValues: scopes.map { ($0, 0.0) })
        for site in cell["sites"] as? [[String: Any]] ?? [] {
            let figures = siteFigures(site["lineage"] as? [String: Any] ?? [:])
            var it: [String: Double] = [:]
            for record in site["it"] as? [[String: Any]] ?? [] {
                it[record["product"] as? String ?? "", default: 0] += record["amount"] as? Double ?? 0
            }
            let itTotal = it.values.filter { $0 > 0 }.reduce(0, +)
            var unassigned = 0.0, mine = 0.0
            for record in site["embodied"] as? [[String: Any]] ?? [] {
                let amount = record["amount"] as? Double ?? 0
                switch record["product"] as? String {
                case nil, "": unassigned += amount
                case product: mine += amount
                default: break
                }
            }
            var shared = figures
            shared["scope3"] = unassigned
            let w = itTotal > 0 ? max(0, it[product] ?? 0) / itTotal : 0
            for scope in scopes { total[scope, default: 0] += w * (shared[scope] ?? 0) }
            total["scope3", default: 0] += mine
        }
        return total
    }

    @Test func tenantAndProductCellsRecomputeFromLineageAlone() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()
        try await suite.postExpectingAccepted("/v1/activity", Fixture.usageCSV, "text/csv", accepted: 2)
        try await suite.postExpectingAccepted("/v1/activity", Self.moreUsage, "application/x-ndjson", accepted: 1)
        try await suite.waitDrained()

        let tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        for (tenant, product) in [("A", "ecs"), ("C", "ecs"), ("A", "oss")] {
            let reported = try #require(row(tenants, ["tenant": tenant, "product": product, "region": "r1"]), "\(tenant) \(product)")
            let cell = try await suite.json(.calculator, "/v1/lineage?layer=tenant&tenant=\(tenant)&product=\(product)&region=r1&month=2024-01")
            #expect(cell["formula"] is [String: String])
            // Every input names its record; every factor its id, version and value.
            for key in ["usage", "capacity"] {
                for record in cell[key] as? [[String: Any]] ?? [] { #expect(record["source"] is String && record["id"] is String) }
            }
            let productFigures = Self.productFigures(cell, product: product)
            var usage: [String: Double] = [:]
            for record in cell["usage"] as? [[String: Any]] ?? [] {
                usage[record["tenant"] as? String ?? "", default: 0] += record["amount"] as? Double ?? 0
            }
            let usageTotal = usage.values.filter { $0 > 0 }.reduce(0, +)
            let capacity = (cell["capacity"] as? [[String: Any]] ?? []).reduce(0.0) { $0 + ($1["amount"] as? Double ?? 0) }
            let denominator = cell["basis"] as? String == "capacity" && capacity > 0 ? max(capacity, usageTotal) : usageTotal
            let share = (usage[tenant] ?? 0) / denominator
            for scope in Self.scopes {
                expectClose(share * (productFigures[scope] ?? .nan), reported[scope] as? Double ?? .nan, "\(tenant) \(product) \(scope) from lineage")
            }
            expectClose(reported["usage"], usage[tenant] ?? .nan, "\(tenant) \(product) usage from lineage")
        }
        // By hand, as a check on the check: A's oss share is 100 GB-h / max(400 capacity, 100) = 0.25.
        let aOss = try await suite.json(.calculator, "/v1/lineage?layer=tenant&tenant=A&product=oss&region=r1&month=2024-01")
        expectClose(aOss["share"], 0.25, "A oss share")

        // Product and product-site cells recompute the same way.
        let products = try await suite.emissions("layer=product&from=2024-01&to=2024-01")
        let productSites = try await suite.emissions("layer=product_site&from=2024-01&to=2024-01")
        let ecs = try await suite.json(.calculator, "/v1/lineage?layer=product&product=ecs&region=r1&month=2024-01")
        let ecsFigures = Self.productFigures(ecs, product: "ecs")
        let ecsS1 = try await suite.json(.calculator, "/v1/lineage?layer=product_site&product=ecs&site=s1&month=2024-01")
        let ecsS1Figures = Self.productFigures(ecsS1, product: "ecs")
        for scope in Self.scopes {
            expectClose(ecsFigures[scope], row(products, ["product": "ecs"])?[scope] as? Double ?? .nan, "ecs \(scope) from lineage")
            expectClose(ecsS1Figures[scope], row(productSites, ["product": "ecs", "site": "s1"])?[scope] as? Double ?? .nan, "ecs s1 \(scope)")
        }

        // Parameters are named when wrong or missing.
        let (missingTenant, _) = try await suite.get(.calculator, "/v1/lineage?layer=tenant&product=ecs&region=r1&month=2024-01")
        #expect(missingTenant == 400)
        let (unknownTenant, body) = try await suite.get(.calculator, "/v1/lineage?layer=tenant&tenant=Z&product=ecs&region=r1&month=2024-01")
        #expect(unknownTenant == 404 && String(decoding: body, as: UTF8.self).contains("tenant"))
        let (badLayer, _) = try await suite.get(.calculator, "/v1/lineage?layer=planet&month=2024-01")
        #expect(badLayer == 400)
        await suite.stopAll()
    }
}
