import Foundation
import Messaging
import Testing
import ZeroMQ

/// Every accepted ingest write and every denial reaches auth's hash-chained audit log through
/// the services' audit outboxes — also when auth was down at the time — exactly once.
@Suite(.serialized) struct IngestAuditTests {
    static func usage(_ id: String, tenant: String = "A") -> Data {
        Data(
            #"[{"source":"audit","id":"\#(id)","kind":"usage","tenant":"\#(tenant)","product":"ecs","region":"r1","start":"2024-01-04T00:00:00Z","end":"2024-01-04T01:00:00Z","value":1,"unit":"vCPU-h"},{"source":"audit","id":"\#(id)-2","kind":"usage","tenant":"\#(tenant)","product":"ecs","region":"r1","start":"2024-01-04T01:00:00Z","end":"2024-01-04T02:00:00Z","value":1,"unit":"vCPU-h"}]"#
                .utf8)
    }

    func auditRows(_ suite: SuiteProcess, token: String) async throws -> [[String: Any]] {
        let (_, data) = try await suite.request(.auth, "/v1/audit?limit=1000", method: "GET", headers: suite.bearer(token))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["rows"] as? [[String: Any]] ?? []
    }

    @Test func ingestWritesAndDenialsAreAuditedDurablyAndOnce() async throws {
        let suite = try SuiteProcess(extraArguments: SuiteProcess.secured())
        try await suite.start()
        let admin = try await suite.loginToken("admin", try suite.bootstrapPassword())
        suite.credential = admin
        let password = "correct horse battery"
        for (user, role) in [("co", "collector"), ("an", "analyst")] {
            let (status, _) = try await suite.administer("/v1/users", ["username": user, "password": password, "role": role, "tenant": "A"], token: admin)
            #expect(status == 201)
        }
        let (keyStatus, keyBody) = try await suite.administer("/v1/api-keys", ["role": "collector", "tenant": "A"], token: admin)
        #expect(keyStatus == 201)
        let key = try #require(keyBody["key"] as? String)
        let keyID = try #require(keyBody["key_id"] as? String)
        let collectorToken = try await suite.loginToken("co", password)
        let analystToken = try await suite.loginToken("an", password)

        func batchID(_ data: Data) throws -> String {
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            return try #require(object?["batch"] as? String, "\(String(decoding: data, as: UTF8.self))")
        }
        // Over HTTP with the API key, and over ZeroMQ with the collector user's token.
        let (s1, d1) = try await suite.post(.collector, "/v1/activity", body: Self.usage("via-key"), contentType: "application/json", headers: suite.bearer(key))
        #expect(s1 == 200 || s1 == 202)
        let keyBatch = try batchID(d1)
        let context = try ZMQContext()
        let loop = try ZMQEventLoop(context: context, name: "audit-client")
        loop.start()
        let client = RequestClient(
            loop: loop, endpoint: "tcp://127.0.0.1:\(suite.ports.collectorIngest)", source: MessageSource(service: "test", instance: "t1"))
        try await client.start()
        let reply = try await client.request(
            type: "ingest.activity.v1", body: Self.usage("via-zmq"), timeoutMilliseconds: 15_000, acceptErrors: true, apiKey: collectorToken)
        #expect([200, 202].contains(reply.header.status ?? 200), "\(reply.header.error ?? "")")
        let zmqBatch = try batchID(reply.body)

        // With auth down, a token still works (verified locally); the write and the denials wait
        // in the outboxes and reach the chain once auth is back.
        await suite.stop(.auth)
        let (s3, d3) = try await suite.post(
            .collector, "/v1/activity", body: Self.usage("while-down"), contentType: "application/json", headers: suite.bearer(collectorToken))
        #expect(s3 == 200 || s3 == 202, "\(String(decoding: d3, as: UTF8.self))")
        let downBatch = try batchID(d3)
        let (denied, _) = try await suite.request(.calculator, "/v1/factors", method: "GET", headers: suite.bearer(analystToken))
        #expect(denied == 403)
        let (deniedWrite, _) = try await suite.post(
            .collector, "/v1/activity", body: Self.usage("not-mine", tenant: "B"), contentType: "application/json", headers: suite.bearer(collectorToken))
        #expect(deniedWrite == 403)
        try await suite.start([.auth])

        var rows: [[String: Any]] = []
        func ingestRows(_ batch: String) -> [[String: Any]] {
            rows.filter { ($0["action"] as? String) == "ingest.activity" && (($0["detail"] as? String)?.contains(batch) ?? false) }
        }
        for _ in 0..<150 {
            rows = try await auditRows(suite, token: admin)
            if !ingestRows(downBatch).isEmpty, rows.contains(where: { ($0["action"] as? String) == "denied GET /v1/factors" }),
                rows.contains(where: { ($0["action"] as? String) == "denied POST /v1/activity" })
            {
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        for (batch, actor) in [(keyBatch, "key:\(keyID)"), (zmqBatch, "co"), (downBatch, "co")] {
            let found = ingestRows(batch)
            #expect(found.count == 1, "batch \(batch): \(found)")
            #expect(found.first?["actor"] as? String == actor)
            #expect(found.first?["tenant"] as? String == "A")
            #expect((found.first?["detail"] as? String)?.contains("2 records") == true, "\(found)")
        }
        let factorDenial = rows.first { ($0["action"] as? String) == "denied GET /v1/factors" }
        #expect(factorDenial?["actor"] as? String == "an")
        #expect((factorDenial?["detail"] as? String)?.hasPrefix("calculator:") == true)
        #expect(rows.contains { ($0["action"] as? String) == "denied POST /v1/activity" && ($0["actor"] as? String) == "co" })

        // The outboxes are empty once delivered, and nothing is appended twice.
        try await Task.sleep(for: .milliseconds(1_000))
        let again = try await auditRows(suite, token: admin)
        #expect(again.filter { ($0["action"] as? String) == "ingest.activity" }.count == 3)
        await loop.shutdown()
        context.terminate()
        await suite.stopAll()
        let verified = try suite.runAuthCommand(["verify-audit"])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("intact"), "\(verified.output)")
    }
}
