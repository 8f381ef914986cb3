import Foundation
import Messaging
import Testing
import ZeroMQ

/// The five real services, a small dataset sent over HTTP (JSON, NDJSON, CSV) and over the
/// ZeroMQ ingest endpoint, and results checked against hand-computed numbers and the
/// conservation laws.
@Suite(.serialized) struct PipelineTests {
    @Test func handComputedResultsEndToEnd() async throws {
        let suite = try SuiteProcess()
        try await suite.start()

        try await suite.declareFixture()
        try await suite.postExpectingAccepted("/v1/activity", Fixture.usageCSV, "text/csv", accepted: 2)

        // Tenant B's usage arrives over the ZeroMQ ingest endpoint.
        let context = try ZMQContext()
        let loop = try ZMQEventLoop(context: context, name: "test-client")
        loop.start()
        let client = RequestClient(
            loop: loop, endpoint: "tcp://127.0.0.1:\(suite.ports.collectorIngest)", source: MessageSource(service: "test", instance: "t1"))
        try await client.start()
        let reply = try await client.request(type: "ingest.activity.v1", body: Data(Fixture.usageZMQ.utf8), timeoutMilliseconds: 15_000)
        let verdict = try #require(try JSONSerialization.jsonObject(with: reply.body) as? [String: Any])
        #expect(verdict["accepted"] as? Int == 1, "ZeroMQ verdict: \(verdict)")
        #expect(verdict["status"] as? String == "processed")
        let unknown = try await client.request(type: "ingest.nonsense.v1", body: Data("[]".utf8), acceptErrors: true)
        #expect(unknown.header.status == 400)
        #expect(unknown.header.error?.contains("ingest.activity.v1") == true)
        await loop.shutdown()
        context.terminate()

        try await suite.waitDrained()

        // Customer layer, January.
        let tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        let aEcs = try #require(row(tenants, ["tenant": "A", "product": "ecs", "region": "r1", "month": "2024-01"]), "\(tenants)")
        expectClose(aEcs["scope1"], Fixture.shareAecs * Fixture.ecsJan.scope1, "A ecs scope1")
        expectClose(aEcs["scope2_location"], Fixture.shareAecs * Fixture.ecsJan.location, "A ecs scope2_location")
        expectClose(aEcs["scope2_market"], Fixture.shareAecs * Fixture.ecsJan.market, "A ecs scope2_market")
        expectClose(aEcs["scope3"], Fixture.shareAecs * Fixture.ecsJan.scope3, "A ecs scope3")
        expectClose(aEcs["energy_kwh"], Fixture.shareAecs * Fixture.ecsJan.energy, "A ecs energy")
        expectClose(
            aEcs["total_location"], Fixture.shareAecs * (Fixture.ecsJan.scope1 + Fixture.ecsJan.location + Fixture.ecsJan.scope3),
            "A ecs total_location")
        #expect(aEcs["mode"] as? String == "measured")
        let bEcs = try #require(row(tenants, ["tenant": "B", "product": "ecs"]))
        expectClose(bEcs["scope2_market"], Fixture.shareBecs * Fixture.ecsJan.market, "B ecs scope2_market")
        expectClose(bEcs["usage"], 10, "B ecs usage")
        let aOss = try #require(row(tenants, ["tenant": "A", "product": "oss"]))
        expectClose(aOss["scope2_location"], Fixture.shareAoss * Fixture.ossJan.location, "A oss scope2_location")
        expectClose(aOss["usage"], 100, "A oss usage")

        // Grouped by tenant alone: A's two products together.
        let byTenant = try await suite.emissions("group_by=tenant&from=2024-01&to=2024-01")
        let a = try #require(row(byTenant, ["tenant": "A"]))
        expectClose(
            a["scope2_location"], Fixture.shareAecs * Fixture.ecsJan.location + Fixture.shareAoss * Fixture.ossJan.location,
            "A scope2_location over products")

        // Product layer, with what tenants did not take.
        let products = try await suite.emissions("layer=product&from=2024-01&to=2024-01")
        let oss = try #require(row(products, ["product": "oss", "region": "r1"]))
        expectClose(oss["scope2_location"], Fixture.ossJan.location, "oss location")
        let ossUnallocated = try #require(oss["unallocated"] as? [String: Any])
        expectClose(ossUnallocated["scope2_location"], (1 - Fixture.shareAoss) * Fixture.ossJan.location, "oss unallocated")
        let ecs = try #require(row(products, ["product": "ecs", "region": "r1"]))
        expectClose(ecs["scope3"], Fixture.ecsJan.scope3, "ecs scope3")
        expectClose((ecs["unallocated"] as? [String: Any])?["total_market"], 0, "ecs unallocated")

        // Site layer.
        let sites = try await suite.emissions("layer=site")
        let s1 = try #require(row(sites, ["site": "s1", "month": "2024-01"]))
        expectClose(s1["scope1"], Fixture.s1Jan.scope1, "s1 scope1")
        expectClose(s1["scope2_location"], Fixture.s1Jan.location, "s1 location")
        expectClose(s1["scope2_market"], Fixture.s1Jan.market, "s1 market")
        expectClose(s1["energy_kwh"], Fixture.s1Jan.energy, "s1 energy")
        let s2 = try #require(row(sites, ["site": "s2", "month": "2024-01"]))
        expectClose(s2["scope3"], Fixture.s2Jan.scope3, "s2 scope3")
        // February: the second half of the straddling record at the new factor, all unallocated.
        let s1Feb = try #require(row(sites, ["site": "s1", "month": "2024-02"]))
        expectClose(s1Feb["scope2_location"], 120 * 0.6, "s1 Feb location")
        expectClose(s1Feb["scope2_market"], 120 * 0.8, "s1 Feb market")
        expectClose((s1Feb["unallocated"] as? [String: Any])?["scope2_location"], 120 * 0.6, "s1 Feb unallocated")
        let s2Feb = try #require(row(sites, ["site": "s2", "month": "2024-02"]))
        expectClose(s2Feb["scope3"], Fixture.s2EmbodiedFeb, "s2 Feb scope3")

        try await expectConservation(suite, month: "2024-01")
        try await expectConservation(suite, month: "2024-02")

        // CSV of the same view.
        let (status, csv) = try await suite.get(.reporter, "/v1/emissions?group_by=tenant,month&format=csv")
        #expect(status == 200)
        let lines = String(decoding: csv, as: UTF8.self).split(separator: "\n")
        #expect(lines.first == "tenant,month,scope1,scope2_location,scope2_market,scope3,total_location,total_market,energy_kwh,mode,usage,quality_measured,quality_filled,quality_flagged,quality_estimated,scope2_market_hourly,total_market_hourly,cfe_kwh,cfe_share,quality_profiled,water_l")
        #expect(lines.contains { $0.hasPrefix("A,2024-01,") })

        // Bad query parameters are named.
        let (badStatus, badBody) = try await suite.get(.reporter, "/v1/emissions?layer=site&group_by=tenant")
        #expect(badStatus == 400)
        #expect(String(decoding: badBody, as: UTF8.self).contains("group_by"))
        await suite.stopAll()
    }

    /// Σ tenants + unallocated = product (per region); Σ products + unallocated = site.
    func expectConservation(_ suite: SuiteProcess, month: String) async throws {
        let scopes = ["scope1", "scope2_location", "scope2_market", "scope3", "energy_kwh"]
        let products = try await suite.emissions("layer=product&from=\(month)&to=\(month)")
        let tenants = try await suite.emissions("layer=tenant&group_by=product,region&from=\(month)&to=\(month)")
        for product in products {
            let name = try #require(product["product"] as? String)
            let unallocated = product["unallocated"] as? [String: Any] ?? [:]
            let allocated = row(tenants, ["product": name, "region": product["region"] as? String ?? ""])
            for scope in scopes {
                let sum = ((allocated?[scope] as? Double) ?? 0) + ((unallocated[scope] as? Double) ?? 0)
                expectClose(sum, (product[scope] as? Double) ?? .nan, "\(month) \(name) \(scope): tenants + unallocated")
            }
        }
        let sites = try await suite.emissions("layer=site&from=\(month)&to=\(month)")
        let productSites = try await suite.emissions("layer=product_site&group_by=site&from=\(month)&to=\(month)")
        for site in sites {
            let name = try #require(site["site"] as? String)
            let unallocated = site["unallocated"] as? [String: Any] ?? [:]
            let allocated = row(productSites, ["site": name])
            for scope in scopes {
                let sum = ((allocated?[scope] as? Double) ?? 0) + ((unallocated[scope] as? Double) ?? 0)
                expectClose(sum, (site[scope] as? Double) ?? .nan, "\(month) \(name) \(scope): products + unallocated")
            }
        }
    }
}

extension SuiteProcess {
    /// Declares the fixture's sites, products and factors and sends its facility records.
    func declareFixture(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await postExpectingAccepted("/v1/sites", Fixture.sites, "application/json", accepted: 2, sourceLocation: sourceLocation)
        try await postExpectingAccepted("/v1/products", Fixture.products, "application/json", accepted: 2, sourceLocation: sourceLocation)
        try await postExpectingAccepted("/v1/factors", Fixture.factors, "application/x-ndjson", accepted: 4, sourceLocation: sourceLocation)
        try await postExpectingAccepted("/v1/activity", Fixture.facility, "application/x-ndjson", accepted: 10, sourceLocation: sourceLocation)
    }

    /// Posts a batch and checks the verdict's accepted count; returns the verdict.
    @discardableResult
    func postExpectingAccepted(
        _ path: String, _ body: String, _ contentType: String, accepted: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [String: Any] {
        let (status, data) = try await post(.collector, path, body: Data(body.utf8), contentType: contentType)
        let verdict = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        #expect(status == 200, "POST \(path): \(status) \(String(decoding: data, as: UTF8.self))", sourceLocation: sourceLocation)
        #expect(verdict["accepted"] as? Int == accepted, "POST \(path): \(verdict)", sourceLocation: sourceLocation)
        return verdict
    }
}
