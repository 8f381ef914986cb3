import Foundation
import Testing

/// The Python example collector (pyzmq), written from docs/ingest-protocol.md, against the real
/// suite: every entity sent from files over ZeroMQ, verdicts checked, results checked against the
/// hand-computed fixture; and the API key path.
@Suite(.serialized) struct PythonCollectorTests {
    @Test(.enabled(if: PythonCollector.available, "python3 with pyzmq is not installed (python3 -m pip install pyzmq)"))
    func filesSentFromPythonLandInTheResults() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        let sends: [(String, String, String, Int)] = [
            ("sites", "sites.json", Fixture.sites, 2), ("products", "products.json", Fixture.products, 2),
            ("factors", "factors.ndjson", Fixture.factors, 4), ("activity", "facility.ndjson", Fixture.facility, 10),
            ("activity", "usage.csv", Fixture.usageCSV, 2), ("activity", "usage-b.json", Fixture.usageZMQ, 1),
        ]
        for (entity, name, text, accepted) in sends {
            // Batches of 3 records, so a file of ten goes out as several requests.
            let result = try PythonCollector.send(suite, entity: entity, files: [try PythonCollector.file(suite, name, text)], batchSize: 3)
            #expect(result.status == 0, "\(name): \(result.output)")
            let verdicts = result.lines.compactMap { $0["verdict"] as? [String: Any] }
            #expect(verdicts.count == (accepted + 2) / 3, "\(name): \(result.output)")
            #expect(verdicts.allSatisfy { $0["status"] as? String == "processed" }, "\(name): \(result.output)")
            #expect(verdicts.map { $0["accepted"] as? Int ?? -1 }.reduce(0, +) == accepted, "\(name): \(result.output)")
        }
        // Sent again: every record is a repeat, nothing changes.
        let again = try PythonCollector.send(suite, entity: "activity", files: [suite.dataDir.appendingPathComponent("facility.ndjson")])
        let repeatVerdict = try #require(again.lines.first?["verdict"] as? [String: Any], "\(again.output)")
        #expect(repeatVerdict["repeats"] as? Int == 10)
        #expect(repeatVerdict["accepted"] as? Int == 0)

        // A bad record is reported by line, the good ones still land.
        let bad = try PythonCollector.file(
            suite, "bad.ndjson",
            """
            {"source":"billing","id":"late-1","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"2024-03-01T00:00:00Z","end":"2024-03-02T00:00:00Z","value":-5,"unit":"vCPU-h"}
            not json at all
            """)
        let badResult = try PythonCollector.send(suite, entity: "activity", files: [bad])
        let badVerdict = try #require(badResult.lines.first?["verdict"] as? [String: Any], "\(badResult.output)")
        let rejected = badVerdict["rejected"] as? [[String: Any]] ?? []
        #expect(rejected.count == 2, "\(badVerdict)")
        #expect(rejected.first?["field"] as? String == "value")
        #expect(rejected.last?["line"] as? Int == 2)

        try await suite.waitDrained()
        let tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        let aEcs = try #require(row(tenants, ["tenant": "A", "product": "ecs", "region": "r1", "month": "2024-01"]), "\(tenants)")
        expectClose(aEcs["scope2_location"], Fixture.shareAecs * Fixture.ecsJan.location, "A ecs scope2_location")
        expectClose(aEcs["scope3"], Fixture.shareAecs * Fixture.ecsJan.scope3, "A ecs scope3")
        let bEcs = try #require(row(tenants, ["tenant": "B", "product": "ecs"]), "\(tenants)")
        expectClose(bEcs["scope2_market"], Fixture.shareBecs * Fixture.ecsJan.market, "B ecs scope2_market")
        let aOss = try #require(row(tenants, ["tenant": "A", "product": "oss"]), "\(tenants)")
        expectClose(aOss["scope2_location"], Fixture.shareAoss * Fixture.ossJan.location, "A oss scope2_location")
        await suite.stopAll()
    }

    @Test(.enabled(if: PythonCollector.available, "python3 with pyzmq is not installed (python3 -m pip install pyzmq)"))
    func apiKeyInTheHeaderIsCheckedWithAuth() async throws {
        let suite = try SuiteProcess(extraArguments: [.collector: ["--require-api-key"]])
        let keys = APIKeyTests()
        let writer = try keys.runAuth(suite, ["create-key", "--tenant", "A", "--role", "collector"])
        let reader = try keys.runAuth(suite, ["create-key", "--tenant", "A", "--role", "analyst"])
        try await suite.start()
        let sites = try PythonCollector.file(suite, "sites.json", Fixture.sites)

        let missing = try PythonCollector.send(suite, entity: "sites", files: [sites])
        #expect(missing.status == 1)
        #expect(missing.lines.first?["status"] as? Int == 401, "\(missing.output)")
        #expect((missing.lines.first?["error"] as? String)?.contains("api_key") == true, "\(missing.output)")
        let wrong = try PythonCollector.send(suite, entity: "sites", files: [sites], apiKey: "cmk_nope_nope")
        #expect(wrong.lines.first?["status"] as? Int == 401, "\(wrong.output)")
        let forbidden = try PythonCollector.send(suite, entity: "sites", files: [sites], apiKey: reader)
        #expect(forbidden.lines.first?["status"] as? Int == 403, "\(forbidden.output)")
        let ok = try PythonCollector.send(suite, entity: "sites", files: [sites], apiKey: writer)
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.lines.first?["status"] as? Int == 200, "\(ok.output)")
        for service in SuiteProcess.Service.allCases { #expect(!suite.log(service).contains(writer)) }
        await suite.stopAll()
    }
}
