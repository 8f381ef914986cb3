import CarbonModel
import Foundation
import GRDB
import Testing

/// A tenant's credentials against other owners' records: reusing another tenant's or the
/// provider's `(source, id)` makes a record of the caller's own and changes nothing of theirs,
/// and the answer is the one any new record gets; a key repeated in a record is refused, so the
/// check and the pipeline can never read two different tenants or kinds. Over HTTP and ZeroMQ.
@Suite(.serialized) struct HostileTenantTests {
    static func usage(_ source: String, _ id: String, tenant: String, value: Double, day: Int = 3) -> String {
        let start = String(format: "2024-01-%02dT00:00:00Z", day), end = String(format: "2024-01-%02dT01:00:00Z", day)
        return #"[{"source":"\#(source)","id":"\#(id)","kind":"usage","tenant":"\#(tenant)","product":"ecs","region":"r1","start":"\#(start)","end":"\#(end)","value":\#(value),"unit":"vCPU-h"}]"#
    }

    /// A secured suite with the fixture loaded by the provider, and a collector key for A and for B.
    static func start() async throws -> (suite: SuiteProcess, admin: String, keyA: String, keyB: String) {
        let suite = try SuiteProcess(extraArguments: SuiteProcess.secured())
        try await suite.start()
        let admin = try await suite.loginToken("admin", try suite.bootstrapPassword())
        suite.credential = admin
        var keys: [String] = []
        for tenant in ["A", "B"] {
            let (status, body) = try await suite.administer("/v1/api-keys", ["role": "collector", "tenant": tenant], token: admin)
            #expect(status == 201, "\(body)")
            keys.append(try #require(body["key"] as? String))
        }
        try await suite.loadFixture(usage: true, token: admin)
        return (suite, admin, keys[0], keys[1])
    }

    static func send(_ suite: SuiteProcess, _ body: String, key: String) async throws -> (Int, [String: Any], String) {
        let (status, data) = try await suite.post(.collector, "/v1/activity", body: Data(body.utf8), contentType: "application/json", headers: suite.bearer(key))
        let text = String(decoding: data, as: UTF8.self)
        return (status, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:], text)
    }

    static func ecsLocation(_ suite: SuiteProcess, tenant: String) async throws -> Any? {
        row(try await suite.emissions("layer=tenant&from=2024-01&to=2024-01"), ["tenant": tenant, "product": "ecs"])?["scope2_location"]
    }

    @Test func anotherOwnersSourceAndIdMakeARecordOfOnesOwnAndChangeNothingOfTheirs() async throws {
        let (suite, _, keyA, keyB) = try await Self.start()
        let ingest = try await IngestClient(suite, name: "hostile-client")
        func zmq(_ body: String, key: String) async throws -> (Int, [String: Any], String) {
            let answer = try await ingest.ingest(body, key: key)
            return (answer.status, answer.verdict, answer.error)
        }

        // B's own credentials write a record of B's: B's ecs use is now 10 (provider) + 10 = 20 vCPU-h.
        let (own, ownVerdict, _) = try await Self.send(suite, Self.usage("billing", "b-own", tenant: "B", value: 10), key: keyB)
        #expect(own == 200 && ownVerdict["accepted"] as? Int == 1, "\(ownVerdict)")

        // A reuses B's ids (one the provider wrote for B, one B wrote) and the provider's meter
        // ids, over HTTP and ZeroMQ. Each is a new record of A's, answered like any new record.
        let fresh = try await Self.send(suite, Self.usage("billing", "a-fresh", tenant: "A", value: 0), key: keyA)
        let attempts: [(String, (Int, [String: Any], String))] = [
            ("HTTP B's b-ecs", try await Self.send(suite, Self.usage("billing", "b-ecs", tenant: "A", value: 10), key: keyA)),
            ("ZeroMQ B's b-own", try await zmq(Self.usage("billing", "b-own", tenant: "A", value: 10), key: keyA)),
            ("HTTP provider's s1-grid-jan", try await Self.send(suite, Self.usage("meter", "s1-grid-jan", tenant: "A", value: 0), key: keyA)),
            ("ZeroMQ provider's s2-grid-jan", try await zmq(Self.usage("meter", "s2-grid-jan", tenant: "A", value: 0), key: keyA)),
        ]
        for (what, (status, verdict, text)) in attempts {
            #expect(status == 200, "\(what): \(status) \(text)")
            for field in ["accepted", "revisions", "repeats", "received"] {
                #expect(verdict[field] as? Int == fresh.1[field] as? Int, "\(what): \(field) differs from a fresh record's answer: \(verdict) vs \(fresh.1)")
            }
            #expect((verdict["rejected"] as? [Any])?.isEmpty ?? true, "\(what): \(verdict)")
        }
        // Every kind but usage is the provider's, whatever ids it carries and whoever it names.
        for kind in ActivityKind.allCases where kind != .usage {
            let record = #"[{"source":"meter","id":"s1-grid-jan","kind":"\#(kind.rawValue)","site":"s1","start":"2024-01-01T00:00:00Z","end":"2024-02-01T00:00:00Z","value":0,"unit":"kWh","tenant":"A"}]"#
            #expect(try await Self.send(suite, record, key: keyA).0 == 403, "HTTP \(kind.rawValue)")
            #expect(try await zmq(record, key: keyA).0 == 403, "ZeroMQ \(kind.rawValue)")
        }
        // Declarations are the provider's too.
        for (path, body) in [("/v1/sites", Fixture.sites), ("/v1/products", Fixture.products), ("/v1/factors", Fixture.factors)] {
            let (status, _) = try await suite.post(.collector, path, body: Data(body.utf8), contentType: "application/x-ndjson", headers: suite.bearer(keyA))
            #expect(status == 403, "\(path)")
        }

        try await suite.waitDrained()
        // ecs use in January: A 30 + 10 + 10 = 50, B 10 + 10 = 20 (nothing of B's replaced).
        expectClose(try await Self.ecsLocation(suite, tenant: "B"), 20.0 / 70 * Fixture.ecsJan.location, "B keeps both its records")
        expectClose(try await Self.ecsLocation(suite, tenant: "A"), 50.0 / 70 * Fixture.ecsJan.location, "A carries its own records")
        // The provider's meters are whole: the sites' January is what the fixture says.
        let sites = try await suite.emissions("layer=site&from=2024-01&to=2024-01&group_by=site")
        expectClose(row(sites, ["site": "s1"])?["scope2_location"], Fixture.s1Jan.location, "s1 January location")
        expectClose(row(sites, ["site": "s2"])?["scope2_location"], Fixture.s2Jan.location, "s2 January location")
        await ingest.close()
        await suite.stopAll()
    }

    @Test func aKeyRepeatedInARecordIsRefusedNamingTheKey() async throws {
        let (suite, admin, keyA, _) = try await Self.start()
        let ingest = try await IngestClient(suite, name: "duplicate-client")
        let tail = #""product":"ecs","region":"r1","start":"2024-01-03T00:00:00Z","end":"2024-01-03T01:00:00Z","value":50,"unit":"vCPU-h""#
        let twoTenants = #"[{"source":"x","id":"dup-tenant","kind":"usage","tenant":"B","tenant":"A","# + tail + "}]"
        let escapedTenant = #"[{"source":"x","id":"dup-escaped","kind":"usage","tenant":"B","ten\u0061nt":"A","# + tail + "}]"
        let twoKinds = #"[{"source":"x","id":"dup-kind","kind":"facility.electricity","kind":"usage","tenant":"A","site":"s1","# + tail + "}]"
        for (what, body, key) in [("tenant", twoTenants, "tenant"), ("escaped tenant", escapedTenant, "tenant"), ("kind", twoKinds, "kind")] {
            let (status, answer, text) = try await Self.send(suite, body, key: keyA)
            #expect(status == 400, "HTTP \(what): \(status) \(text)")
            let message = answer["error"] as? String ?? text
            #expect(message.contains("\"\(key)\"") && message.contains("more than once"), "HTTP \(what): \(text)")
            let reply = try await ingest.ingest(body, key: keyA)
            #expect(reply.status == 400, "ZeroMQ \(what): \(reply.error)")
            #expect(reply.error.contains("more than once"), "ZeroMQ \(what): \(reply.error)")
        }
        // The provider's credentials pass the collector's check (they may write anything), and the
        // preprocessor refuses the record itself, naming the key.
        let (status, verdict, text) = try await Self.send(suite, twoKinds, key: admin)
        #expect(status == 200, "\(text)")
        let rejected = verdict["rejected"] as? [[String: Any]] ?? []
        #expect(rejected.count == 1 && rejected.first?["field"] as? String == "kind", "\(verdict)")
        #expect((rejected.first?["reason"] as? String)?.contains("more than once") == true, "\(verdict)")

        // Every JSON body, not only records: a login and a budget with a repeated key are refused.
        let login = #"{"username":"admin","username":"nobody","password":"whatever it is"}"#
        let (loginStatus, loginBody) = try await suite.post(.auth, "/v1/login", body: Data(login.utf8), contentType: "application/json")
        #expect(loginStatus == 400 && String(decoding: loginBody, as: UTF8.self).contains("username"), "\(String(decoding: loginBody, as: UTF8.self))")
        let budget = #"{"tenant":"A","tenant":"B","month":"2024-01","kgco2e":1}"#
        let (budgetStatus, budgetBody) = try await suite.post(
            .reporter, "/v1/budgets", body: Data(budget.utf8), contentType: "application/json", headers: suite.bearer(admin))
        #expect(budgetStatus == 400 && String(decoding: budgetBody, as: UTF8.self).contains("tenant"), "\(String(decoding: budgetBody, as: UTF8.self))")
        for (path, body) in [
            ("/v1/targets", #"{"tenant":"A","tenant":"B","baseline_year":2024,"reduction_percent":50,"target_year":2030}"#),
            ("/v1/business-metrics", #"{"tenant":"A","month":"2024-01","metric":"orders","metric":"x","value":1,"unit":"order"}"#),
        ] {
            let (status, answer) = try await suite.post(.reporter, path, body: Data(body.utf8), contentType: "application/json", headers: suite.bearer(admin))
            #expect(status == 400 && String(decoding: answer, as: UTF8.self).contains("more than once"), "\(path): \(String(decoding: answer, as: UTF8.self))")
        }

        try await suite.waitDrained()
        // Nothing of the refused records landed: B's and A's ecs shares are the fixture's.
        expectClose(try await Self.ecsLocation(suite, tenant: "B"), Fixture.shareBecs * Fixture.ecsJan.location, "B")
        expectClose(try await Self.ecsLocation(suite, tenant: "A"), Fixture.shareAecs * Fixture.ecsJan.location, "A")
        await ingest.close()
        await suite.stopAll()
    }

    /// Stores from before owners were recorded hold every record as the provider's. A tenant
    /// re-sending one of its own such records revises it (no double count); another tenant
    /// reusing its ids gets a record of its own.
    @Test func aTenantTakesOverItsOwnRecordsStoredBeforeOwnersWereRecorded() async throws {
        let (suite, _, keyA, keyB) = try await Self.start()
        let (first, verdict, _) = try await Self.send(suite, Self.usage("billing", "a-legacy", tenant: "A", value: 10), key: keyA)
        #expect(first == 200 && verdict["accepted"] as? Int == 1, "\(verdict)")
        try await suite.waitDrained()
        // Make the record look as an older store holds it: the provider's, owner unknown.
        await suite.stop(.preprocessor)
        await suite.stop(.calculator)
        let preprocessor = try DatabaseQueue(path: suite.dataDir.appendingPathComponent("preprocessor-1.sqlite").path)
        try await preprocessor.write { db in
            try db.execute(sql: "UPDATE records SET owner = '', owner_unknown = 1 WHERE id = 'a-legacy'")
            #expect(db.changesCount == 1)
        }
        let calculator = try DatabaseQueue(path: suite.dataDir.appendingPathComponent("calculator-1.sqlite").path)
        try await calculator.write { db in
            try db.execute(sql: "UPDATE records SET owner = '' WHERE id = 'a-legacy'")
            #expect(db.changesCount == 1)
        }
        try preprocessor.close()
        try calculator.close()
        try await suite.start([.preprocessor, .calculator])

        // B cannot take it over: a record of B's own. A re-sending it with 20 revises it.
        let (bStatus, bVerdict, _) = try await Self.send(suite, Self.usage("billing", "a-legacy", tenant: "B", value: 0), key: keyB)
        #expect(bStatus == 200 && bVerdict["accepted"] as? Int == 1, "\(bVerdict)")
        let (aStatus, aVerdict, _) = try await Self.send(suite, Self.usage("billing", "a-legacy", tenant: "A", value: 20), key: keyA)
        #expect(aStatus == 200 && aVerdict["revisions"] as? Int == 1, "\(aVerdict)")
        try await suite.waitDrained()
        // ecs use: A 30 + 20 = 50 (the 10 replaced, not added), B 10.
        expectClose(try await Self.ecsLocation(suite, tenant: "A"), 50.0 / 60 * Fixture.ecsJan.location, "A after taking over")
        expectClose(try await Self.ecsLocation(suite, tenant: "B"), 10.0 / 60 * Fixture.ecsJan.location, "B")
        await suite.stopAll()
    }
}
