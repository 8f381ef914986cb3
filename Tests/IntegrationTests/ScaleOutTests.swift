import Foundation
import Testing

/// Two preprocessors and two calculators, by configuration alone: the results equal the
/// hand-computed single-replica ones, both replicas of each stage take part, and a revision
/// that moves a record to a region the other calculator owns leaves the first one.
@Suite(.serialized) struct ScaleOutTests {
    /// A second region, r2 (owned by the other calculator shard than r1), with one site.
    static let regionTwo = """
        {"source":"meter","id":"s3-grid-jan","kind":"facility.electricity","site":"s3","start":"2024-01-01T00:00:00Z","end":"2024-02-01T00:00:00Z","value":300,"unit":"kWh"}
        {"source":"meter","id":"s3-ecs-it","kind":"product.it_electricity","site":"s3","product":"ecs","start":"2024-01-01T00:00:00Z","end":"2024-02-01T00:00:00Z","value":300,"unit":"kWh"}
        {"source":"bill","id":"c1","kind":"usage","tenant":"C","product":"ecs","region":"r2","start":"2024-01-07T00:00:00Z","end":"2024-01-08T00:00:00Z","value":10,"unit":"vCPU-h"}
        """

    @Test func twoPreprocessorsAndTwoCalculatorsGiveTheSingleReplicaResults() async throws {
        let suite = try SuiteProcess(preprocessors: 2, calculators: 2)
        try await suite.start()
        try await suite.postExpectingAccepted("/v1/sites", Fixture.sites, "application/json", accepted: 2)
        try await suite.postExpectingAccepted("/v1/sites", #"[{"site":"s3","region":"r2","grid":"G1"}]"#, "application/json", accepted: 1)
        try await suite.postExpectingAccepted("/v1/products", Fixture.products, "application/json", accepted: 2)
        try await suite.postExpectingAccepted("/v1/factors", Fixture.factors, "application/x-ndjson", accepted: 4)
        try await suite.postExpectingAccepted("/v1/activity", Fixture.facility, "application/x-ndjson", accepted: 10)
        try await suite.postExpectingAccepted("/v1/activity", Fixture.usageCSV, "text/csv", accepted: 2)
        let usageB = Fixture.usageZMQ.trimmingCharacters(in: CharacterSet(charactersIn: "[]\n"))
        try await suite.postExpectingAccepted("/v1/activity", usageB, "application/x-ndjson", accepted: 1)
        try await suite.postExpectingAccepted("/v1/activity", Self.regionTwo, "application/x-ndjson", accepted: 3)
        // A batch of many records, so both preprocessor shards get some, with one bad record.
        let many = (0..<40).map {
            #"{"source":"bill","id":"d\#($0)","kind":"usage","tenant":"D","product":"oss","region":"r1","start":"2024-01-20T00:00:00Z","end":"2024-01-20T01:00:00Z","value":0,"unit":"GB-h"}"#
        } + [#"{"source":"bill","id":"bad","kind":"usage","tenant":"D","product":"oss","region":"r1","start":"2024-01-20T00:00:00Z","end":"2024-01-20T01:00:00Z","value":-1,"unit":"GB-h"}"#]
        let verdict = try await suite.postExpectingAccepted("/v1/activity", many.joined(separator: "\n"), "application/x-ndjson", accepted: 40)
        #expect((verdict["rejected"] as? [[String: Any]])?.first?["line"] as? Int == 41, "\(verdict)")
        #expect(verdict["received"] as? Int == 41)
        try await suite.waitDrained()

        // Region r1 is exactly the single-replica fixture.
        var tenants = try await suite.emissions("layer=tenant&region=r1&from=2024-01&to=2024-01")
        expectClose(row(tenants, ["tenant": "A", "product": "ecs"])?["scope2_market"], Fixture.shareAecs * Fixture.ecsJan.market, "A ecs market")
        expectClose(row(tenants, ["tenant": "B", "product": "ecs"])?["scope3"], Fixture.shareBecs * Fixture.ecsJan.scope3, "B ecs scope3")
        expectClose(row(tenants, ["tenant": "A", "product": "oss"])?["scope2_location"], Fixture.shareAoss * Fixture.ossJan.location, "A oss")
        // Region r2: C alone uses ecs there: 300 kWh × 0.5.
        tenants = try await suite.emissions("layer=tenant&region=r2&from=2024-01&to=2024-01")
        expectClose(row(tenants, ["tenant": "C"])?["scope2_location"], 150, "C in r2")

        // Both replicas of each stage did work.
        for (service, name, metric) in [
            (SuiteProcess.Service.preprocessor, "preprocessor-2", "carbonmeter_records_total"),
            (SuiteProcess.Service.calculator, "calculator-2", "carbonmeter_records_total"),
        ] {
            let first = String(decoding: try await suite.get(service, "/metrics").1, as: UTF8.self)
            let second = String(decoding: try await suite.get(replica: name, "/metrics").1, as: UTF8.self)
            #expect(Self.value(of: metric, in: first) > 0, "\(service.rawValue)-1 did nothing")
            #expect(Self.value(of: metric, in: second) > 0, "\(name) did nothing")
        }

        // Revise C's record into region r1: it leaves r2's calculator and joins r1's.
        let moved = Self.regionTwo.split(separator: "\n")[2].replacingOccurrences(of: #""region":"r2""#, with: #""region":"r1""#)
        let revision = try await suite.postExpectingAccepted("/v1/activity", moved, "application/x-ndjson", accepted: 0)
        #expect(revision["revisions"] as? Int == 1)
        try await suite.waitDrained()
        tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        #expect(row(tenants, ["tenant": "C", "region": "r2"]) == nil, "C still in r2: \(tenants)")
        // r1 ecs usage is now A 30 + B 10 + C 10 = 50.
        expectClose(row(tenants, ["tenant": "C", "region": "r1"])?["scope2_location"], 10.0 / 50 * Fixture.ecsJan.location, "C in r1")
        expectClose(row(tenants, ["tenant": "A", "region": "r1", "product": "ecs"])?["scope2_location"], 30.0 / 50 * Fixture.ecsJan.location, "A")
        let products = try await suite.emissions("layer=product&region=r2&from=2024-01&to=2024-01")
        expectClose((row(products, ["product": "ecs"])?["unallocated"] as? [String: Any])?["scope2_location"], 150, "r2 ecs unallocated")
        await suite.stopAll()
    }

    /// Sum of a Prometheus metric's samples in a scrape.
    static func value(of metric: String, in text: String) -> Double {
        text.split(separator: "\n").filter { $0.hasPrefix(metric) }.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            .reduce(0, +)
    }
}
