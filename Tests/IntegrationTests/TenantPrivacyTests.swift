import Foundation
import Testing

/// A tenant admin exports all of its tenant's data and erases it, against the five real
/// services: the export holds identities (no secrets), records, results and audit rows; the
/// erase removes the identities and the tenant's name everywhere, keeps its share of the sites'
/// emissions under a pseudonym, and leaves every other tenant's figures byte for byte the same.
@Suite(.serialized) struct TenantPrivacyTests {
    static func object(_ data: Data) -> [String: Any] { (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:] }

    /// The part of an export one service answered.
    static func part(_ export: [String: Any], _ service: String) -> [String: Any] {
        ((export["services"] as? [[String: Any]])?.first { $0["service"] as? String == service }?["data"] as? [String: Any]) ?? [:]
    }

    @Test func exportThenEraseLeavesOtherTenantsUnchanged() async throws {
        let suite = try SuiteProcess(extraArguments: SuiteProcess.secured())
        try await suite.start()
        let admin = try await suite.loginToken("admin", try suite.bootstrapPassword())
        suite.credential = admin
        let password = "correct horse battery"
        for (user, role) in [("ta", "tenant_admin"), ("an", "analyst")] {
            let (status, _) = try await suite.administer("/v1/users", ["username": user, "password": password, "role": role, "tenant": "A"], token: admin)
            #expect(status == 201)
        }
        let tenantAdmin = try await suite.loginToken("ta", password)
        let analyst = try await suite.loginToken("an", password)
        let (keyStatus, keyBody) = try await suite.administer("/v1/api-keys", ["role": "collector", "tenant": "A"], token: tenantAdmin)
        #expect(keyStatus == 201)
        let key = try #require(keyBody["key"] as? String)

        for (path, body, type) in [
            ("/v1/sites", Fixture.sites, "application/json"), ("/v1/products", Fixture.products, "application/json"),
            ("/v1/factors", Fixture.factors, "application/x-ndjson"), ("/v1/activity", Fixture.facility, "application/x-ndjson"),
            ("/v1/activity", Fixture.usageCSV, "text/csv"), ("/v1/activity", Fixture.usageZMQ, "application/json"),
        ] {
            let (status, _) = try await suite.post(.collector, path, body: Data(body.utf8), contentType: type, headers: suite.bearer(admin))
            #expect(status == 200)
        }
        // A's own collector: one good record and one the preprocessor quarantines.
        let own = #"[{"source":"a-meter","id":"a-1","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"2024-01-07T00:00:00Z","end":"2024-01-07T01:00:00Z","value":3,"unit":"vCPU-h"},{"source":"a-meter","id":"a-bad","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"2024-01-07T00:00:00Z","end":"2024-01-07T01:00:00Z","value":3,"unit":"furlongs"}]"#
        let (ownStatus, _) = try await suite.post(.collector, "/v1/activity", body: Data(own.utf8), contentType: "application/json", headers: suite.bearer(key))
        #expect(ownStatus == 200)
        let (targetStatus, _) = try await suite.request(
            .reporter, "/v1/targets", method: "POST",
            body: Data(#"{"tenant":"A","baseline_year":2023,"reduction_percent":30,"target_year":2030}"#.utf8),
            headers: suite.bearer(tenantAdmin).merging(["Content-Type": "application/json"]) { a, _ in a })
        #expect(targetStatus == 200)
        try await suite.waitDrained()

        // Figures before: tenant B's, the provider's site layer, and tenant A's rows.
        let others = ["/v1/emissions?layer=tenant&tenant=B", "/v1/emissions?layer=tenant&tenant=B&format=csv", "/v1/emissions?layer=site",
            "/v1/emissions?layer=product", "/v1/emissions?layer=site&group_by=site,month&format=csv"]
        var before: [String: Data] = [:]
        for path in others { before[path] = try await suite.get(.reporter, path).1 }
        let bRows = Self.object(before["/v1/emissions?layer=tenant&tenant=B"] ?? Data())["rows"] as? [Any] ?? []
        #expect(!bRows.isEmpty, "tenant B has figures to compare")
        let aRowsBefore = Self.object(try await suite.get(.reporter, "/v1/emissions?layer=tenant&tenant=A").1)["rows"] as? [[String: Any]] ?? []
        #expect(!aRowsBefore.isEmpty)

        // Export: the tenant admin gets everything about A; other tenants, and other roles, get a refusal.
        let (exportStatus, exportData) = try await suite.request(.auth, "/v1/tenants/A/export", method: "GET", headers: suite.bearer(tenantAdmin))
        #expect(exportStatus == 200, "\(String(decoding: exportData, as: UTF8.self).prefix(500))")
        let export = Self.object(exportData)
        let authPart = Self.part(export, "auth")
        #expect(Set((authPart["users"] as? [[String: Any]] ?? []).compactMap { $0["username"] as? String }) == ["an", "ta"])
        #expect((authPart["api_keys"] as? [[String: Any]])?.count == 1)
        #expect(!(authPart["audit"] as? [Any] ?? []).isEmpty)
        #expect(!String(decoding: exportData, as: UTF8.self).contains(key), "the export holds no key secret")
        #expect(!String(decoding: exportData, as: UTF8.self).contains("scrypt"), "the export holds no password hash")
        #expect((Self.part(export, "collector")["batches"] as? [Any])?.count == 1)
        // The batch as received, body and all (kept in its own table since collector-v5).
        let exportedBody = ((Self.part(export, "collector")["batches"] as? [[String: Any]])?.first?["body"] as? String) ?? ""
        #expect(exportedBody.contains("a-1"), "the batch body: \(exportedBody.prefix(300))")
        let records = Self.part(export, "preprocessor")["records"] as? [[String: Any]] ?? []
        #expect(Set(records.compactMap { $0["id"] as? String }) == ["a-ecs", "a-oss", "a-1"], "\(records)")
        #expect((Self.part(export, "preprocessor")["quarantine"] as? [Any])?.count == 1)
        #expect((Self.part(export, "reporter")["emissions"] as? [Any])?.count == aRowsBefore.count)
        #expect((Self.part(export, "reporter")["targets"] as? [Any])?.count == 1)
        let (foreign, foreignBody) = try await suite.request(.auth, "/v1/tenants/B/export", method: "GET", headers: suite.bearer(tenantAdmin))
        let (missing, missingBody) = try await suite.request(.auth, "/v1/tenants/Z/export", method: "GET", headers: suite.bearer(tenantAdmin))
        #expect(foreign == 403 && missing == 403 && foreignBody == missingBody)
        let (byAnalyst, _) = try await suite.request(.auth, "/v1/tenants/A/export", method: "GET", headers: suite.bearer(analyst))
        #expect(byAnalyst == 403)
        let (anonymous, _) = try await suite.request(.auth, "/v1/tenants/A/export", method: "GET")
        #expect(anonymous == 401)

        // Erase.
        let (eraseStatus, eraseData) = try await suite.request(.auth, "/v1/tenants/A/erase", method: "POST", headers: suite.bearer(tenantAdmin))
        #expect(eraseStatus == 200, "\(String(decoding: eraseData, as: UTF8.self))")
        let pseudonym = try #require(Self.object(eraseData)["pseudonym"] as? String)
        #expect(pseudonym.hasPrefix("erased-"))
        print("tenant erase: \(String(decoding: eraseData, as: UTF8.self))")

        // Every other tenant's figures, and the provider's, are the same bytes.
        for path in others {
            let after = try await suite.get(.reporter, path).1
            #expect(after == before[path], "\(path) changed:\n\(String(decoding: before[path] ?? Data(), as: UTF8.self).prefix(400))\n→\n\(String(decoding: after, as: UTF8.self).prefix(400))")
        }
        // A's share is still there, under the pseudonym, with the same figures; A's name is gone.
        let aRowsAfter = Self.object(try await suite.get(.reporter, "/v1/emissions?layer=tenant&tenant=A").1)["rows"] as? [[String: Any]] ?? []
        #expect(aRowsAfter.isEmpty)
        let erasedRows = Self.object(try await suite.get(.reporter, "/v1/emissions?layer=tenant&tenant=\(pseudonym)").1)["rows"] as? [[String: Any]] ?? []
        // Nested objects (the quality shares) as sorted JSON: a dictionary's description has no fixed order.
        func text(_ value: Any) -> String {
            guard JSONSerialization.isValidJSONObject(value),
                let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
            else { return "\(value)" }
            return String(decoding: data, as: UTF8.self)
        }
        func figures(_ rows: [[String: Any]]) -> [String] {
            rows.map { row in row.filter { $0.key != "tenant" }.sorted { $0.key < $1.key }.map { "\($0.key)=\(text($0.value))" }.joined(separator: ",") }.sorted()
        }
        #expect(figures(erasedRows) == figures(aRowsBefore))

        // Identities are gone: no login, no key; the provider's export of A finds nothing identifying.
        let (loginStatus, _, _) = try await suite.login("ta", password)
        #expect(loginStatus == 401)
        let (keyAfter, _) = try await suite.post(.collector, "/v1/activity", body: Data(own.utf8), contentType: "application/json", headers: suite.bearer(key))
        #expect(keyAfter == 401)
        let again = Self.object(try await suite.request(.auth, "/v1/tenants/A/export", method: "GET", headers: suite.bearer(admin)).1)
        #expect((Self.part(again, "auth")["users"] as? [Any])?.isEmpty == true)
        #expect((Self.part(again, "auth")["api_keys"] as? [Any])?.isEmpty == true)
        #expect((Self.part(again, "collector")["batches"] as? [Any])?.isEmpty == true)
        #expect((Self.part(again, "preprocessor")["records"] as? [Any])?.isEmpty == true)
        #expect((Self.part(again, "preprocessor")["quarantine"] as? [Any])?.isEmpty == true)
        #expect((Self.part(again, "reporter")["emissions"] as? [Any])?.isEmpty == true)
        #expect((Self.part(again, "reporter")["targets"] as? [Any])?.isEmpty == true)

        // The erase is audited, and the chain is intact.
        let (_, auditData) = try await suite.request(.auth, "/v1/audit?limit=1000", method: "GET", headers: suite.bearer(admin))
        let audit = Self.object(auditData)["rows"] as? [[String: Any]] ?? []
        #expect(audit.contains { $0["action"] as? String == "tenant.erase" && $0["actor"] as? String == "ta" })
        #expect(audit.contains { $0["action"] as? String == "tenant.export" })
        await suite.stopAll()
        let verified = try suite.runAuthCommand(["verify-audit"])
        #expect(verified.status == 0, "\(verified.output)")
    }
}
