import Foundation
import Messaging
import Testing
import ZeroMQ

/// With `--require-auth`, every role on every protected route gets exactly what it may: tenant
/// roles see only their own tenant, provider views are for provider roles, and a cross-tenant
/// attempt is refused the same way whether or not the other tenant exists.
@Suite(.serialized) struct RoleAccessTests {
    /// What a caller must get: a status, and for allowed emissions reads, the tenants in the rows.
    enum Expect: Equatable, CustomStringConvertible {
        case ok(tenants: Set<String>?)
        case status(Int)
        var description: String {
            switch self {
            case .ok(let tenants): return "200 \(tenants.map { $0.sorted().description } ?? "")"
            case .status(let code): return "\(code)"
            }
        }
    }

    static let callers = ["anonymous", "provider_admin", "tenant_admin", "analyst", "auditor", "collector", "collector_key"]

    static let usageA = #"[{"source":"probe","id":"a-probe","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"2024-01-02T00:00:00Z","end":"2024-01-02T01:00:00Z","value":1,"unit":"vCPU-h"}]"#
    static let usageB = #"[{"source":"probe","id":"b-probe","kind":"usage","tenant":"B","product":"ecs","region":"r1","start":"2024-01-02T00:00:00Z","end":"2024-01-02T01:00:00Z","value":1,"unit":"vCPU-h"}]"#
    static let meterA = #"[{"source":"probe","id":"m-probe","kind":"facility.electricity","tenant":"A","site":"s1","start":"2024-01-02T00:00:00Z","end":"2024-01-02T01:00:00Z","value":1,"unit":"kWh"}]"#

    @Test func everyRoleGetsExactlyWhatItMayOnEveryRoute() async throws {
        let suite = try SuiteProcess(extraArguments: SuiteProcess.secured())
        try await suite.start()
        let admin = try await suite.loginToken("admin", try suite.bootstrapPassword())
        let password = "correct horse battery"
        for (user, role) in [("ta", "tenant_admin"), ("an", "analyst"), ("au", "auditor"), ("co", "collector")] {
            let (status, body) = try await suite.administer(
                "/v1/users", ["username": user, "password": password, "role": role, "tenant": "A"], token: admin)
            #expect(status == 201, "\(body)")
        }
        // A tenant admin creates its collector's key; it may not create one for another tenant.
        let (keyStatus, keyBody) = try await suite.administer(
            "/v1/api-keys", ["role": "collector", "tenant": "A"], token: try await suite.loginToken("ta", password))
        #expect(keyStatus == 201)
        let (foreignKey, _) = try await suite.administer(
            "/v1/api-keys", ["role": "collector", "tenant": "B"], token: try await suite.loginToken("ta", password))
        #expect(foreignKey == 403)

        suite.credential = admin
        var credentials: [String: String] = ["provider_admin": admin, "collector_key": try #require(keyBody["key"] as? String)]
        for (user, role) in [("ta", "tenant_admin"), ("an", "analyst"), ("au", "auditor"), ("co", "collector")] {
            credentials[role] = try await suite.loginToken(user, password)
        }

        // The provider loads the fixture; tenant B's usage comes over HTTP here too.
        let headers = suite.bearer(admin)
        for (path, body, type) in [
            ("/v1/sites", Fixture.sites, "application/json"), ("/v1/products", Fixture.products, "application/json"),
            ("/v1/factors", Fixture.factors, "application/x-ndjson"), ("/v1/activity", Fixture.facility, "application/x-ndjson"),
            ("/v1/activity", Fixture.usageCSV, "text/csv"), ("/v1/activity", Fixture.usageZMQ, "application/json"),
        ] {
            let (status, data) = try await suite.post(.collector, path, body: Data(body.utf8), contentType: type, headers: headers)
            #expect(status == 200, "\(path): \(String(decoding: data, as: UTF8.self))")
        }
        try await suite.waitDrained()

        let tenantReaders = ["tenant_admin", "analyst", "auditor"]
        func table(provider: Expect, tenantReader: Expect, writers: Expect? = nil, collector: Expect) -> [String: Expect] {
            var row: [String: Expect] = ["anonymous": .status(401), "provider_admin": provider]
            for role in tenantReaders { row[role] = tenantReader }
            row["collector"] = collector
            row["collector_key"] = collector
            if let writers { row["tenant_admin"] = writers }
            return row
        }
        let both: Set<String> = ["A", "B"]
        let reads: [(String, [String: Expect])] = [
            ("layer=tenant", table(provider: .ok(tenants: both), tenantReader: .ok(tenants: ["A"]), collector: .status(403))),
            ("group_by=tenant,month", table(provider: .ok(tenants: both), tenantReader: .ok(tenants: ["A"]), collector: .status(403))),
            ("layer=tenant&tenant=A", table(provider: .ok(tenants: ["A"]), tenantReader: .ok(tenants: ["A"]), collector: .status(403))),
            ("layer=tenant&tenant=B", table(provider: .ok(tenants: ["B"]), tenantReader: .status(403), collector: .status(403))),
            ("layer=tenant&tenant=Z", table(provider: .ok(tenants: []), tenantReader: .status(403), collector: .status(403))),
            ("layer=site", table(provider: .ok(tenants: nil), tenantReader: .status(403), collector: .status(403))),
            ("layer=product", table(provider: .ok(tenants: nil), tenantReader: .status(403), collector: .status(403))),
            ("layer=product_site", table(provider: .ok(tenants: nil), tenantReader: .status(403), collector: .status(403))),
        ]
        var refusalBodies: [String: String] = [:]
        for (query, expectations) in reads {
            for caller in Self.callers {
                let (status, data) = try await suite.request(
                    .reporter, "/v1/emissions?\(query)", method: "GET", headers: suite.bearer(credentials[caller]))
                var got = Expect.status(status)
                if status == 200 {
                    let rows = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["rows"] as? [[String: Any]] ?? []
                    got = .ok(tenants: query.contains("layer=tenant") || query.contains("group_by=tenant") ? Set(rows.compactMap { $0["tenant"] as? String }) : nil)
                    if !query.contains("tenant") { #expect(!rows.isEmpty, "\(caller) \(query)") }
                }
                #expect(got == expectations[caller], "GET /v1/emissions?\(query) as \(caller): \(String(decoding: data, as: UTF8.self))")
                if query.hasSuffix("tenant=B") || query.hasSuffix("tenant=Z") { refusalBodies["\(caller) \(query.suffix(1))"] = String(decoding: data, as: UTF8.self) }
            }
        }
        // A tenant's refusal for an existing tenant and for a made-up one are the same bytes.
        for caller in tenantReaders { #expect(refusalBodies["\(caller) B"] == refusalBodies["\(caller) Z"]) }

        let writes: [(String, String, [String: Expect])] = [
            ("/v1/activity", Self.usageA, table(provider: .status(200), tenantReader: .status(403), writers: .status(200), collector: .status(200))),
            ("/v1/activity", Self.usageB, table(provider: .status(200), tenantReader: .status(403), collector: .status(403))),
            ("/v1/activity", Self.meterA, table(provider: .status(200), tenantReader: .status(403), collector: .status(403))),
            ("/v1/sites", Fixture.sites, table(provider: .status(200), tenantReader: .status(403), collector: .status(403))),
        ]
        for (path, body, expectations) in writes {
            for caller in Self.callers {
                let (status, data) = try await suite.post(
                    .collector, path, body: Data(body.utf8), contentType: "application/json", headers: suite.bearer(credentials[caller]))
                #expect(
                    Expect.status(status == 202 ? 200 : status) == expectations[caller],
                    "POST \(path) \(body.prefix(60)) as \(caller): \(String(decoding: data, as: UTF8.self))")
            }
        }

        // The ZeroMQ ingest endpoint checks the same way, with the credential in the header's api_key.
        let context = try ZMQContext()
        let loop = try ZMQEventLoop(context: context, name: "role-client")
        loop.start()
        let client = RequestClient(
            loop: loop, endpoint: "tcp://127.0.0.1:\(suite.ports.collectorIngest)", source: MessageSource(service: "test", instance: "t1"))
        try await client.start()
        for (body, expectations) in writes.filter({ $0.0 == "/v1/activity" }).map({ ($0.1, $0.2) }) {
            for caller in Self.callers {
                let reply = try await client.request(
                    type: "ingest.activity.v1", body: Data(body.utf8), timeoutMilliseconds: 15_000, acceptErrors: true, apiKey: credentials[caller])
                let status = reply.header.status ?? 200
                #expect(Expect.status(status == 202 ? 200 : status) == expectations[caller], "zmq \(body.prefix(60)) as \(caller): \(reply.header.error ?? "")")
            }
        }
        await loop.shutdown()
        context.terminate()

        // Denials reported by the reporter and the collector land in auth's audit log.
        // The services' audit outboxes deliver in the background: wait (bounded) for the three rows.
        var denials: [[String: Any]] = []
        let expected = [("denied GET /v1/emissions", "an"), ("denied POST /v1/activity", "co"), ("apikey.create", "ta")]
        func found(_ action: String, _ actor: String) -> Bool {
            denials.contains { ($0["action"] as? String) == action && ($0["actor"] as? String) == actor }
        }
        for _ in 0..<300 {
            let (_, data) = try await suite.request(.auth, "/v1/audit?limit=1000", method: "GET", headers: suite.bearer(admin))
            let rows = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["rows"] as? [[String: Any]] ?? []
            denials = rows.filter { ($0["outcome"] as? String) == "denied" }
            if expected.allSatisfy({ found($0.0, $0.1) }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        for (action, actor) in expected {
            #expect(found(action, actor), "no audit row \(action) by \(actor)")
        }
        // No password or token in any log.
        for service in SuiteProcess.Service.allCases {
            #expect(!suite.log(service).contains(password))
            #expect(!suite.log(service).contains(admin))
        }
        await suite.stopAll()
    }

    /// Revocation and expiry as conditions: a revoked token must come to be refused by every
    /// service (how long that took is printed; the polls run every 200 ms here), and a token is
    /// expected to work only when its answer came back before its expiry could have been reached,
    /// and to be refused once the expiry has surely passed.
    @Test func revokedAndExpiredTokensAreRefusedWithinSeconds() async throws {
        let ttl: TimeInterval = 10
        let suite = try SuiteProcess(extraArguments: SuiteProcess.secured(auth: ["--token-ttl-seconds", "\(Int(ttl))"]))
        try await suite.start()
        let password = try suite.bootstrapPassword()
        let firstSentAt = Date()
        let token = try await suite.loginToken("admin", password)
        #expect(!FileManager.default.fileExists(atPath: suite.bootstrapSecretFile.path), "the one-time secret is gone after the first login")
        // The token works before it is revoked (else the refusals below would prove nothing).
        let (before, _) = try await suite.request(.reporter, "/v1/emissions?layer=site", method: "GET", headers: suite.bearer(token))
        if Date() < firstSentAt.addingTimeInterval(ttl - 1) { #expect(before == 200) }
        let (loggedOut, _) = try await suite.post(.auth, "/v1/logout", body: Data(), contentType: "application/json", headers: suite.bearer(token))
        #expect(loggedOut == 200)
        // Each service polls auth's revocation list on its own; both must come to refuse it.
        let revokedAt = Date()
        var reporterRefusedAfter: TimeInterval?
        var collectorRefusedAfter: TimeInterval?
        while Date().timeIntervalSince(revokedAt) < 120, reporterRefusedAfter == nil || collectorRefusedAfter == nil {
            if reporterRefusedAfter == nil {
                let (status, _) = try await suite.request(.reporter, "/v1/emissions?layer=site", method: "GET", headers: suite.bearer(token))
                if status == 401 { reporterRefusedAfter = Date().timeIntervalSince(revokedAt) }
            }
            if collectorRefusedAfter == nil {
                let (status, _) = try await suite.post(
                    .collector, "/v1/sites", body: Data(Fixture.sites.utf8), contentType: "application/json", headers: suite.bearer(token))
                if status == 401 { collectorRefusedAfter = Date().timeIntervalSince(revokedAt) }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(reporterRefusedAfter != nil, "a revoked token is refused by the reporter (waited 120 s)")
        #expect(collectorRefusedAfter != nil, "a revoked token is refused by the collector (waited 120 s)")
        print("revocation reached the reporter after \(reporterRefusedAfter ?? -1) s and the collector after \(collectorRefusedAfter ?? -1) s")

        // Auth stamps the expiry from its own clock, read after the login was sent and before
        // its answer arrived: expiry lies between sentAt + ttl - 1 (whole seconds) and answeredAt + ttl.
        let sentAt = Date()
        let second = try await suite.loginToken("admin", password)
        let answeredAt = Date()
        let (fresh, freshBody) = try await suite.request(.reporter, "/v1/emissions?layer=site", method: "GET", headers: suite.bearer(second))
        if Date() < sentAt.addingTimeInterval(ttl - 1) {
            #expect(fresh == 200, "\(String(decoding: freshBody, as: UTF8.self))")
        } else {
            print("the first use of the token came back after its expiry could have passed; not checked")
        }
        let expiredFor = answeredAt.addingTimeInterval(ttl + 1)
        while Date() < expiredFor { try await Task.sleep(for: .milliseconds(250)) }
        let (expired, body) = try await suite.request(.reporter, "/v1/emissions?layer=site", method: "GET", headers: suite.bearer(second))
        #expect(expired == 401)
        #expect(String(decoding: body, as: UTF8.self).contains("expired"))
        await suite.stopAll()
    }
}
