import Foundation
import Testing

/// Every HTTP route of every service × every role × (own tenant / another tenant / a tenant
/// that does not exist / no credentials), against the five real services started with
/// `--require-auth`: each call gets exactly the status designed in `AccessPolicy`, and a
/// cross-tenant refusal is byte for byte the refusal for a tenant (or batch) that does not exist.
@Suite(.serialized) struct RouteAccessTableTests {
    /// The callers: no credentials, the provider's admin and analyst, and tenant A's four roles.
    static let callers = ["anonymous", "provider_admin", "provider_analyst", "tenant_admin", "analyst", "auditor", "collector"]
    static let tenantCallers: Set<String> = ["tenant_admin", "analyst", "auditor", "collector"]
    static let tenantReaders: Set<String> = ["tenant_admin", "analyst", "auditor"]

    /// Which tenant a row's `{T}` stands for: the callers' own (A), another that exists (B), one that does not (Z).
    enum Target: String, CaseIterable, Sendable { case own = "A", other = "B", missing = "Z" }

    /// One route: how to call it and the status each caller must get for each target.
    struct Row: Sendable {
        var service: SuiteProcess.Service
        var method: String
        /// `{T}` is replaced by the target tenant, `{N}` by a fresh name.
        var path: String
        var body: String?
        var expect: @Sendable (_ caller: String, _ target: Target) -> Int
    }

    // Expectation shapes (anonymous is 401 on every row; see `status`).
    static func providerView(_ caller: String, _: Target) -> Int { caller.hasPrefix("provider_") ? 200 : 403 }
    static func anyone(_: String, _: Target) -> Int { 200 }
    static func providerAdminOnly(_ caller: String, _: Target) -> Int { caller == "provider_admin" ? 200 : 403 }
    /// Reading one tenant's data: provider readers any tenant; tenant readers their own; collectors nothing.
    static func tenantRead(_ caller: String, _ target: Target) -> Int {
        if caller == "collector" { return 403 }
        if caller.hasPrefix("provider_") { return 200 }
        return target == .own ? 200 : 403
    }
    /// Setting targets and budgets: the provider admin, or the tenant's own tenant admin.
    static func tenantManage(_ caller: String, _ target: Target) -> Int {
        caller == "provider_admin" || (caller == "tenant_admin" && target == .own) ? 200 : 403
    }
    /// Writing a usage record of `{T}`: the provider admin; the tenant's admin and collector for their own.
    static func usageWrite(_ caller: String, _ target: Target) -> Int {
        caller == "provider_admin" || (["tenant_admin", "collector"].contains(caller) && target == .own) ? 200 : 403
    }

    /// Creating users and keys: the provider admin anywhere, a tenant admin in its own tenant (201).
    static func identityCreate(_ caller: String, _ target: Target) -> Int {
        caller == "provider_admin" || (caller == "tenant_admin" && target == .own) ? 201 : 403
    }

    static let usage = #"[{"source":"table","id":"u-{T}-{N}","kind":"usage","tenant":"{T}","product":"ecs","region":"r1","start":"2024-01-03T00:00:00Z","end":"2024-01-03T01:00:00Z","value":1,"unit":"vCPU-h"}]"#

    static let rows: [Row] = {
        var rows: [Row] = [
            Row(service: .reporter, method: "GET", path: "/v1/emissions?layer=tenant&tenant={T}", expect: tenantRead),
            Row(service: .reporter, method: "GET", path: "/v1/emissions?layer=site", expect: providerView),
            Row(service: .reporter, method: "GET", path: "/v1/emissions?layer=product", expect: providerView),
            Row(service: .reporter, method: "GET", path: "/v1/versions", expect: providerView),
            Row(service: .reporter, method: "GET", path: "/v1/status", expect: anyone),
            Row(service: .reporter, method: "GET", path: "/v1/reports?period=2024-01&tenant={T}", expect: tenantRead),
            // Without tenant=: the provider's inventory for provider readers, their own for a tenant's readers.
            Row(service: .reporter, method: "GET", path: "/v1/reports?period=2024-01", expect: { c, t in c == "collector" ? 403 : 200 }),
            Row(service: .reporter, method: "GET", path: "/v1/analysis?from=2024-01&to=2024-01&tenant={T}", expect: tenantRead),
            Row(service: .reporter, method: "GET", path: "/v1/analysis?from=2024-01&to=2024-01", expect: { c, t in c == "collector" ? 403 : 200 }),
            Row(service: .reporter, method: "GET", path: "/v1/targets?tenant={T}", expect: tenantRead),
            Row(service: .reporter, method: "GET", path: "/v1/budgets?tenant={T}", expect: tenantRead),
            Row(service: .reporter, method: "GET", path: "/v1/alerts?tenant={T}", expect: tenantRead),
            Row(
                service: .reporter, method: "POST", path: "/v1/targets",
                body: #"{"tenant":"{T}","baseline_year":2023,"reduction_percent":40,"target_year":2030}"#, expect: tenantManage),
            Row(service: .reporter, method: "POST", path: "/v1/budgets", body: #"{"tenant":"{T}","month":"2024-01","kgco2e":1000}"#, expect: tenantManage),
            Row(service: .reporter, method: "GET", path: "/v1/indicators?from=2024-01&to=2024-12", expect: providerView),
            Row(service: .reporter, method: "GET", path: "/v1/reports/eed?site=s1&year=2024", expect: providerView),
            Row(service: .reporter, method: "GET", path: "/v1/indicator-targets", expect: providerView),
            Row(service: .reporter, method: "GET", path: "/v1/indicator-alerts", expect: providerView),
            Row(
                service: .reporter, method: "POST", path: "/v1/indicator-targets", body: #"{"site":"s1","year":2024,"indicator":"pue","target":1.4}"#,
                expect: providerAdminOnly),
            Row(service: .collector, method: "POST", path: "/v1/activity", body: usage, expect: usageWrite),
            Row(service: .collector, method: "POST", path: "/v1/sites", body: Fixture.sites, expect: providerAdminOnly),
            Row(service: .collector, method: "POST", path: "/v1/products", body: Fixture.products, expect: providerAdminOnly),
            Row(
                service: .collector, method: "POST", path: "/v1/factors",
                body: #"[{"factor":"table.{N}","activity":"diesel","value":2.7,"unit":"kgCO2e/L","valid_from":"2000-01-01","valid_to":"2100-01-01","source":"test","version":"1"}]"#,
                expect: providerAdminOnly),
            Row(service: .collector, method: "GET", path: "/v1/sources", expect: providerView),
            // No billing source is configured here: whoever may goes on to 404.
            Row(
                service: .collector, method: "POST", path: "/v1/sources/none/exports?name=a.csv", body: "x",
                expect: { c, _ in c == "provider_admin" ? 404 : 403 }),
            Row(service: .collector, method: "GET", path: "/v1/sources/none/exports/a.csv", expect: { c, _ in c.hasPrefix("provider_") ? 404 : 403 }),
            Row(service: .preprocessor, method: "GET", path: "/v1/quarantine", expect: anyone),
            Row(service: .calculator, method: "GET", path: "/v1/factors", expect: providerView),
            Row(service: .calculator, method: "GET", path: "/v1/lineage?site=s1&month=2024-01", expect: providerView),
            Row(service: .calculator, method: "GET", path: "/v1/certificates/unapplied?month=2024-01", expect: providerView),
            Row(
                service: .collector, method: "POST", path: "/v1/factors/hourly?source=table&unit=gCO2e/kWh",
                body: #"[{"timestamp":"2024-01-01T00:00:00Z","zone":"G1","value":100,"note":"{N}"}]"#, expect: providerAdminOnly),
            Row(service: .auth, method: "GET", path: "/v1/audit", expect: { c, _ in ["provider_admin", "auditor"].contains(c) ? 200 : 403 }),
            Row(service: .auth, method: "GET", path: "/v1/tenants/{T}/export", expect: tenantManage),
            Row(
                service: .auth, method: "POST", path: "/v1/users",
                body: #"{"username":"u{N}","password":"correct horse battery","role":"analyst","tenant":"{T}"}"#, expect: identityCreate),
            Row(service: .auth, method: "POST", path: "/v1/api-keys", body: #"{"role":"collector","tenant":"{T}"}"#, expect: identityCreate),
            Row(service: .auth, method: "POST", path: "/v1/tenants", body: #"{"tenant":"t{N}"}"#, expect: { c, _ in c == "provider_admin" ? 201 : 403 }),
        ]
        for service in SuiteProcess.Service.allCases {
            rows.append(Row(service: service, method: "POST", path: "/v1/admin/backup?name={N}", expect: providerAdminOnly))
        }
        return rows
    }()

    @Test func everyRouteEveryRoleEveryTenant() async throws {
        let suite = try SuiteProcess(extraArguments: SuiteProcess.secured())
        try await suite.start()
        let admin = try await suite.loginToken("admin", try suite.bootstrapPassword())
        suite.credential = admin
        let password = "correct horse battery"
        var credentials: [String: String] = ["provider_admin": admin]
        for (user, role, tenant) in [
            ("pan", "analyst", nil), ("ta", "tenant_admin", "A"), ("an", "analyst", "A"), ("au", "auditor", "A"), ("co", "collector", "A"),
            ("tb", "tenant_admin", "B"),
        ] as [(String, String, String?)] {
            var object: [String: Any] = ["username": user, "password": password, "role": role]
            if let tenant { object["tenant"] = tenant }
            let (status, body) = try await suite.administer("/v1/users", object, token: admin)
            #expect(status == 201, "\(body)")
        }
        for (user, caller) in [("pan", "provider_analyst"), ("ta", "tenant_admin"), ("an", "analyst"), ("au", "auditor"), ("co", "collector")] {
            credentials[caller] = try await suite.loginToken(user, password)
        }
        let tenantB = try await suite.loginToken("tb", password)

        // The provider loads the fixture; tenant B sends one batch with a bad record of its own.
        for (path, body, type) in [
            ("/v1/sites", Fixture.sites, "application/json"), ("/v1/products", Fixture.products, "application/json"),
            ("/v1/factors", Fixture.factors, "application/x-ndjson"), ("/v1/activity", Fixture.facility, "application/x-ndjson"),
            ("/v1/activity", Fixture.usageCSV, "text/csv"), ("/v1/activity", Fixture.usageZMQ, "application/json"),
        ] {
            let (status, data) = try await suite.post(.collector, path, body: Data(body.utf8), contentType: type, headers: suite.bearer(admin))
            #expect(status == 200, "\(path): \(String(decoding: data, as: UTF8.self))")
        }
        let badB = #"[{"source":"table","id":"b-bad","kind":"usage","tenant":"B","product":"ecs","region":"r1","start":"2024-01-03T00:00:00Z","end":"2024-01-03T01:00:00Z","value":-1,"unit":"parsecs"}]"#
        let (bStatus, bData) = try await suite.post(.collector, "/v1/activity", body: Data(badB.utf8), contentType: "application/json", headers: suite.bearer(tenantB))
        #expect(bStatus == 200, "\(String(decoding: bData, as: UTF8.self))")
        let batchB = try #require((try JSONSerialization.jsonObject(with: bData) as? [String: Any])?["batch"] as? String)
        let (aStatus, aData) = try await suite.post(
            .collector, "/v1/activity", body: Data(Self.usage.replacingOccurrences(of: "{T}", with: "A").replacingOccurrences(of: "{N}", with: "own").utf8),
            contentType: "application/json", headers: suite.bearer(credentials["collector"]))
        #expect(aStatus == 200, "\(String(decoding: aData, as: UTF8.self))")
        let batchA = try #require((try JSONSerialization.jsonObject(with: aData) as? [String: Any])?["batch"] as? String)
        try await suite.waitDrained()

        var counter = 0
        var calls = 0
        for row in Self.rows {
            let targets: [Target] = row.path.contains("{T}") || (row.body ?? "").contains("{T}") ? Target.allCases : [.own]
            // What each tenant caller got for another tenant and for a missing one.
            var answers: [String: String] = [:]
            for target in targets {
                for caller in Self.callers {
                    counter += 1
                    func fill(_ text: String) -> String {
                        text.replacingOccurrences(of: "{T}", with: target.rawValue).replacingOccurrences(of: "{N}", with: "n\(counter)")
                    }
                    var headers = suite.bearer(credentials[caller])
                    if row.body != nil { headers["Content-Type"] = "application/json" }
                    let (status, data) = try await suite.request(
                        row.service, fill(row.path), method: row.method, body: row.body.map { Data(fill($0).utf8) }, headers: headers)
                    calls += 1
                    let expected = caller == "anonymous" ? 401 : row.expect(caller, target)
                    let got = status == 202 ? 200 : status
                    let text = String(decoding: data, as: UTF8.self)
                    #expect(got == expected, "\(row.method) \(fill(row.path)) on \(row.service) as \(caller) (\(target)): \(status) \(text.prefix(300))")
                    if Self.tenantCallers.contains(caller), target != .own { answers["\(caller) \(target)"] = "\(status) \(text)" }
                }
            }
            // A refusal for another tenant is, byte for byte, the refusal for one that does not exist.
            for caller in Self.tenantCallers where targets.count > 1 && row.expect(caller, .other) != 200 {
                let other = answers["\(caller) other"], missing = answers["\(caller) missing"]
                #expect(other != nil && other == missing, "\(row.method) \(row.path) as \(caller): B answered \(other ?? "-"), Z answered \(missing ?? "-")")
            }
        }
        #expect(calls >= 300, "\(calls) calls")

        // Batches: a tenant reads its own batch's verdict; another tenant's batch answers the same
        // 404, byte for byte, as an id that was never issued.
        for caller in Self.callers {
            var answers: [String: (Int, String)] = [:]
            for (name, id) in [("own", batchA), ("other", batchB), ("missing", "no-such-batch")] {
                let (status, data) = try await suite.request(.collector, "/v1/batches/\(id)", method: "GET", headers: suite.bearer(credentials[caller]))
                answers[name] = (status == 202 ? 200 : status, String(decoding: data, as: UTF8.self))
            }
            if caller == "anonymous" {
                #expect(answers.values.allSatisfy { $0.0 == 401 })
            } else if caller.hasPrefix("provider_") {
                #expect(answers["own"]?.0 == 200 && answers["other"]?.0 == 200 && answers["missing"]?.0 == 404, "\(caller): \(answers)")
            } else {
                #expect(answers["own"]?.0 == 200, "\(caller): \(answers)")
                #expect(answers["other"]?.0 == 404 && answers["missing"]?.0 == 404, "\(caller): \(answers)")
                #expect(answers["other"]?.1 == answers["missing"]?.1, "\(caller): \(answers)")
            }
        }

        // Revoking keys: another tenant's key answers exactly like a key that does not exist.
        var keyIDs: [String: String] = [:]
        for tenant in ["A", "B"] {
            let (status, body) = try await suite.administer("/v1/api-keys", ["role": "collector", "tenant": tenant], token: admin)
            #expect(status == 201)
            keyIDs[tenant] = body["key_id"] as? String
        }
        func revoke(_ id: String, as caller: String) async throws -> (Int, String) {
            let (status, data) = try await suite.request(.auth, "/v1/api-keys/\(id)", method: "DELETE", headers: suite.bearer(credentials[caller]))
            return (status, String(decoding: data, as: UTF8.self))
        }
        #expect(try await revoke(keyIDs["A"] ?? "", as: "anonymous").0 == 401)
        for caller in ["provider_analyst", "analyst", "auditor", "collector"] { #expect(try await revoke(keyIDs["A"] ?? "", as: caller).0 == 403) }
        let foreignKey = try await revoke(keyIDs["B"] ?? "", as: "tenant_admin")
        let missingKey = try await revoke("no-such-key", as: "tenant_admin")
        #expect(foreignKey.0 == 404 && missingKey.0 == 404 && foreignKey.1 == missingKey.1, "\(foreignKey) \(missingKey)")
        #expect(try await revoke(keyIDs["A"] ?? "", as: "tenant_admin").0 == 200)
        #expect(try await revoke(keyIDs["B"] ?? "", as: "provider_admin").0 == 200)

        // Quarantine: tenant A's callers do not see tenant B's rejected record; the provider does.
        for caller in ["provider_admin", "analyst", "collector"] {
            let (status, data) = try await suite.request(.preprocessor, "/v1/quarantine?batch=\(batchB)", method: "GET", headers: suite.bearer(credentials[caller]))
            let total = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["total"] as? Int
            #expect(status == 200)
            #expect(total == (caller == "provider_admin" ? 1 : 0), "\(caller): \(String(decoding: data, as: UTF8.self))")
        }
        let (ownStatus, ownData) = try await suite.request(.preprocessor, "/v1/quarantine?batch=\(batchB)", method: "GET", headers: suite.bearer(tenantB))
        let ownTotal = (try JSONSerialization.jsonObject(with: ownData) as? [String: Any])?["total"] as? Int
        #expect(ownStatus == 200 && ownTotal == 1, "tenant B's own quarantine: \(String(decoding: ownData, as: UTF8.self))")

        // A tenant's reads are limited to its own figures even when it names no tenant.
        for path in ["/v1/targets", "/v1/budgets"] {
            let (_, data) = try await suite.request(.reporter, path, method: "GET", headers: suite.bearer(credentials["analyst"]))
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            let entries = object?[String(path.dropFirst(4))] as? [[String: Any]] ?? []
            #expect(!entries.isEmpty && entries.allSatisfy { $0["tenant"] as? String == "A" }, "\(path): \(entries)")
        }
        // Erase (last: it changes the data): another tenant is refused like a missing one; the
        // tenant's own admin may.
        func erase(_ tenant: String, as caller: String) async throws -> (Int, String) {
            let (status, data) = try await suite.request(.auth, "/v1/tenants/\(tenant)/erase", method: "POST", headers: suite.bearer(credentials[caller]))
            return (status, String(decoding: data, as: UTF8.self))
        }
        #expect(try await erase("A", as: "anonymous").0 == 401)
        for caller in ["provider_analyst", "analyst", "auditor", "collector"] { #expect(try await erase("A", as: caller).0 == 403, "erase as \(caller)") }
        let eraseOther = try await erase("B", as: "tenant_admin")
        let eraseMissing = try await erase("Z", as: "tenant_admin")
        #expect(eraseOther.0 == 403 && eraseOther == eraseMissing, "\(eraseOther) \(eraseMissing)")
        #expect(try await erase("A", as: "tenant_admin").0 == 200)

        // Logout: every authenticated caller may end its own session; without a token, 401 — and
        // tenant A's tokens were revoked by its erase. (POST /v1/login is open by design: it is
        // how a caller gets a credential.)
        for caller in Self.callers {
            let (status, _) = try await suite.post(.auth, "/v1/logout", body: Data(), contentType: "application/json", headers: suite.bearer(credentials[caller]))
            #expect(status == (caller.hasPrefix("provider_") ? 200 : 401), "logout as \(caller)")
        }
        await suite.stopAll()
    }
}
