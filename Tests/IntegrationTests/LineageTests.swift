import Foundation
import Testing

/// Lineage of a site-month cell: from the calculator's `GET /v1/lineage` output alone (terms,
/// factors, grid and certificate kWh), a verifier recomputes the reporter's numbers.
@Suite(.serialized) struct LineageTests {
    @Test func siteCellsRecomputeFromTheirLineage() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()
        try await suite.waitDrained()

        let sites = try await suite.emissions("layer=site")
        for (site, month) in [("s1", "2024-01"), ("s1", "2024-02"), ("s2", "2024-01")] {
            let reported = try #require(row(sites, ["site": site, "month": month]))
            let lineage = try await suite.json(.calculator, "/v1/lineage?site=\(site)&month=\(month)")
            let terms = try #require(lineage["terms"] as? [[String: Any]])
            #expect(lineage["formula"] is [String: String])
            // Every term names its record; every factor its id, version and value.
            for term in terms {
                #expect(term["source"] is String && term["id"] is String)
                if let factor = term["factor"] as? [String: Any] {
                    #expect(factor["factor"] is String && factor["version"] is String && factor["value"] is Double)
                }
            }
            func sum(_ scope: String, weighted: Bool = true) -> Double {
                terms.filter { $0["scope"] as? String == scope }.reduce(0.0) { total, term in
                    let amount = term["amount"] as? Double ?? 0
                    let value = ((term["factor"] as? [String: Any])?["value"] as? Double) ?? 0
                    return total + (weighted ? amount * value : amount)
                }
            }
            let grid = lineage["grid_kwh"] as? Double ?? 0
            let certificates = lineage["certificates_kwh"] as? Double ?? 0
            let market = grid > 0 ? max(0, grid - certificates) * sum("residual") / grid : 0
            expectClose(sum("scope1"), reported["scope1"] as? Double ?? .nan, "\(site) \(month) scope1 from lineage")
            expectClose(sum("scope2_location"), reported["scope2_location"] as? Double ?? .nan, "\(site) \(month) location from lineage")
            expectClose(market, reported["scope2_market"] as? Double ?? .nan, "\(site) \(month) market from lineage")
            expectClose(sum("scope3", weighted: false), reported["scope3"] as? Double ?? .nan, "\(site) \(month) scope3 from lineage")
            expectClose(grid + sum("renewable", weighted: false), reported["energy_kwh"] as? Double ?? .nan, "\(site) \(month) energy from lineage")
        }
        // s1 in January: the straddling record contributes its January half under grid.G1.jan.
        let s1 = try await suite.json(.calculator, "/v1/lineage?site=s1&month=2024-01")
        let straddle = (s1["terms"] as? [[String: Any]])?.first { $0["id"] as? String == "s1-grid-straddle" && $0["scope"] as? String == "scope2_location" }
        expectClose(straddle?["amount"], 120, "straddling record's January kWh")
        #expect((straddle?["factor"] as? [String: Any])?["factor"] as? String == "grid.G1.jan")
        let (missing, _) = try await suite.get(.calculator, "/v1/lineage?site=nowhere&month=2024-01")
        #expect(missing == 404)
        await suite.stopAll()
    }
}
