import CarbonModel
import Foundation
import Testing

/// Breakdowns by tags end to end: tagged usage through collector, preprocessor and calculator
/// to `GET /v1/tags` on the reporter, with figures computed by hand from ``Fixture``.
@Suite(.serialized) struct TagBreakdownRouteTests {
    static func usage(_ id: String, tenant: String, product: String = "ecs", value: Double, unit: String = "vCPU-h", tags: String?) -> String {
        let tagField = tags.map { #","tags":\#($0)"# } ?? ""
        return #"{"source":"bill","id":"\#(id)","kind":"usage","tenant":"\#(tenant)","product":"\#(product)","region":"r1","start":"2024-01-02T00:00:00Z","end":"2024-01-02T04:00:00Z","value":\#(value),"unit":"\#(unit)"\#(tagField)}"#
    }

    func tags(_ suite: SuiteProcess, _ query: String) async throws -> [String: Any] {
        let (status, data) = try await suite.get(.reporter, "/v1/tags?" + query)
        #expect(status == 200, "GET /v1/tags?\(query): \(status) \(String(decoding: data, as: UTF8.self))")
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    func value(_ answer: [String: Any], _ name: String) -> [String: Any]? {
        (answer["values"] as? [[String: Any]])?.first { $0["value"] as? String == name }
    }

    func figure(_ line: [String: Any]?, _ field: String) -> Double? {
        ((line?["figures"] as? [String: Any])?[field] as? NSNumber)?.doubleValue
    }

    /// Σ of a figure over the values equals the answer's total.
    func expectValuesSumToTotal(_ answer: [String: Any], _ what: String) {
        for field in ["scope1", "scope2_location", "scope2_market", "scope3", "energy_kwh"] {
            let sum = (answer["values"] as? [[String: Any]] ?? []).compactMap { figure($0, field) }.reduce(0, +)
            expectClose(sum, ((answer["total"] as? [String: Any])?[field] as? NSNumber)?.doubleValue ?? .nan, "\(what): Σ values \(field) = total")
        }
    }

    @Test func tenantFiguresSplitByTagsAndRevisionsMoveShares() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()
        // Tenant T on ecs: 6 vCPU-h {project a, cost_centre cc1}, 2 {project b}, 2 untagged;
        // on oss: 100 GB-h {project a}. Tenant B: 10 vCPU-h of ecs, untagged.
        let batch = [
            Self.usage("t1", tenant: "T", value: 6, tags: #"{"project":"a","cost_centre":"cc1"}"#),
            Self.usage("t2", tenant: "T", value: 2, tags: #"{"project":"b"}"#),
            Self.usage("t3", tenant: "T", value: 2, tags: nil),
            Self.usage("t4", tenant: "T", product: "oss", value: 100, unit: "GB-h", tags: #"{"project":"a"}"#),
            Self.usage("b1", tenant: "B", value: 10, tags: nil),
        ].joined(separator: "\n")
        try await suite.postExpectingAccepted("/v1/activity", batch, "application/x-ndjson", accepted: 5)
        try await suite.waitDrained()

        // ecs usage 10 (T) + 10 (B) = 20: T's ecs cell = 10/20 = 0.5 × E(ecs, r1).
        // oss: capacity 400 GB-h, T used 100: T's oss cell = 0.25 × E(oss, r1).
        let ecs = Fixture.ecsJan, oss = Fixture.ossJan
        let tEcsLocation = 0.5 * ecs.location, tOssLocation = 0.25 * oss.location
        let tenantRows = try await suite.emissions("layer=tenant&tenant=T&from=2024-01&to=2024-01")
        expectClose(row(tenantRows, ["product": "ecs"])?["scope2_location"], tEcsLocation, "T ecs cell")

        // project: a = 6/10 of T's ecs cell + all of its oss cell; b = 2/10 of ecs; untagged 2/10.
        var project = try await tags(suite, "tenant=T&key=project&from=2024-01&to=2024-01")
        expectClose(figure(value(project, "a"), "scope2_location"), 0.6 * tEcsLocation + tOssLocation, "project a location")
        expectClose(figure(value(project, "a"), "scope2_market"), 0.6 * 0.5 * ecs.market + 0.25 * oss.market, "project a market")
        expectClose(figure(value(project, "a"), "scope3"), 0.6 * 0.5 * ecs.scope3, "project a scope3")
        expectClose(figure(value(project, "b"), "scope2_location"), 0.2 * tEcsLocation, "project b location")
        expectClose(figure(value(project, "(untagged)"), "scope2_location"), 0.2 * tEcsLocation, "project untagged location")
        expectClose((project["total"] as? [String: Any])?["scope2_location"], tEcsLocation + tOssLocation, "T total location")
        #expect((project["values"] as? [[String: Any]])?.map { $0["value"] as? String } == ["a", "b", "(untagged)"])
        expectValuesSumToTotal(project, "project")

        // cost_centre: cc1 = 6/10 of the ecs cell; the rest of ecs and the whole oss cell (whose
        // usage has no cost_centre) are untagged.
        let costCentre = try await tags(suite, "tenant=T&key=cost_centre")
        expectClose(figure(value(costCentre, "cc1"), "scope2_location"), 0.6 * tEcsLocation, "cc1 location")
        expectClose(figure(value(costCentre, "cc1"), "scope1"), 0.6 * 0.5 * ecs.scope1, "cc1 scope1")
        expectClose(figure(value(costCentre, "(untagged)"), "scope2_location"), 0.4 * tEcsLocation + tOssLocation, "cost_centre untagged")
        expectValuesSumToTotal(costCentre, "cost_centre")

        // B has no tags: everything untagged.
        let b = try await tags(suite, "tenant=B&key=project")
        expectClose(figure(value(b, "(untagged)"), "scope2_location"), tEcsLocation, "B untagged = its cell")
        #expect((b["values"] as? [[String: Any]])?.count == 1)

        // A revision moves t2 from project b to project a: a = 8/10 of ecs + oss, b is gone.
        let revised = try await suite.postExpectingAccepted(
            "/v1/activity", Self.usage("t2", tenant: "T", value: 2, tags: #"{"project":"a"}"#), "application/x-ndjson", accepted: 0)
        #expect(revised["revisions"] as? Int == 1)
        try await suite.waitDrained()
        project = try await tags(suite, "tenant=T&key=project&from=2024-01&to=2024-01")
        expectClose(figure(value(project, "a"), "scope2_location"), 0.8 * tEcsLocation + tOssLocation, "project a after revision")
        #expect(value(project, "b") == nil, "b after revision: \(project)")
        expectClose(figure(value(project, "(untagged)"), "scope2_location"), 0.2 * tEcsLocation, "untagged after revision")
        expectValuesSumToTotal(project, "project after revision")
        let months = project["months"] as? [[String: Any]] ?? []
        #expect(months.map { "\($0["month"] as? String ?? "")/\($0["value"] as? String ?? "")" } == ["2024-01/a", "2024-01/(untagged)"])

        // The dashboard's tenant view shows a breakdown per key (admin is the provider's admin).
        let client = DashboardTests.PlainClient()
        let base = "http://127.0.0.1:\(suite.httpPort(.reporter))"
        let session = try await client.signIn(base, "admin", try suite.bootstrapPassword())
        let page = try await client.send("\(base)/dashboard?tenant=T&from=2024-01&to=2024-01", cookie: session)
        #expect(page.status == 200)
        for expected in ["id=\"by-tag-project\"", "By tag: project", "id=\"by-tag-cost_centre\"", "<td>cc1</td>", "<td>(untagged)</td>"] {
            #expect(page.body.contains(expected), "dashboard lacks \(expected)")
        }
        #expect(!page.body.contains("<td>b</td>"), "project b was revised away")

        // carbonctl tags: the same split as a table (figures for people) and as CSV (every digit).
        let table = try suite.carbonctl(["tags", "--tenant", "T", "--key", "project", "--from", "2024-01", "--to", "2024-01"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.hasPrefix("project") && table.stdout.contains("(untagged)"), "\(table.stdout)")
        #expect(table.stdout.contains(FigureFormat.emissions(kg: 0.8 * tEcsLocation + tOssLocation)), "\(table.stdout)")
        let csv = try suite.carbonctl(["tags", "--tenant", "T", "--key", "project", "--by-month", "--format", "csv"])
        let csvLines = csv.stdout.split(separator: "\n").map(String.init)
        #expect(csvLines.first == "month,project,scope1,scope2_location,scope2_market,scope3,total_location,total_market,energy_kwh", "\(csv.stdout)")
        #expect(csvLines.contains { $0.hasPrefix("2024-01,a,") } && csvLines.last?.hasPrefix(",total,") == true, "\(csv.stdout)")
        let noKey = try suite.carbonctl(["tags", "--tenant", "T"])
        #expect(noKey.status != 0 && noKey.stderr.contains("--key"))

        // The tenant's inventory report splits its totals by every tag key too, in each format.
        let report = try await suite.json(.reporter, "/v1/reports?period=2024-01&tenant=T&format=json")
        let section = ((report["sections"] as? [[String: Any]])?.first { $0["mode"] as? String == "measured" }) ?? [:]
        let byTag = section["by_tag"] as? [String: [[String: Any]]] ?? [:]
        #expect(Set(byTag.keys) == ["cost_centre", "project"], "\(section)")
        let projectA = byTag["project"]?.first { $0["value"] as? String == "a" }
        expectClose(projectA?["scope2_location"], 0.8 * tEcsLocation + tOssLocation, "report: project a")
        let (_, csvReport) = try await suite.get(.reporter, "/v1/reports?period=2024-01&tenant=T&format=csv")
        #expect(String(decoding: csvReport, as: UTF8.self).contains(",tag:cost_centre,measured,cc1,"), "report CSV lacks the cost_centre split")
        let (_, htmlReport) = try await suite.get(.reporter, "/v1/reports?period=2024-01&tenant=T&format=html")
        #expect(String(decoding: htmlReport, as: UTF8.self).contains("<h3>By tag: project</h3>"))

        // Parameters are checked.
        let (missingKey, _) = try await suite.get(.reporter, "/v1/tags?tenant=T")
        #expect(missingKey == 400)
        let (badMonth, _) = try await suite.get(.reporter, "/v1/tags?tenant=T&key=project&from=2024-13")
        #expect(badMonth == 400)
        await suite.stopAll()
    }
    @Test func tagReadsFollowTenantRoles() async throws {
        let suite = try SuiteProcess(extraArguments: SuiteProcess.secured())
        try await suite.start()
        let admin = try await suite.loginToken("admin", try suite.bootstrapPassword())
        suite.credential = admin  // /v1/status, polled by waitDrained, needs a credential under --require-auth
        let password = "tag breakdown passphrase"
        let (created, body) = try await suite.administer("/v1/users", ["username": "an", "password": password, "role": "analyst", "tenant": "T"], token: admin)
        #expect(created == 201, "\(body)")
        for (path, data, type) in [
            ("/v1/sites", Fixture.sites, "application/json"), ("/v1/products", Fixture.products, "application/json"),
            ("/v1/factors", Fixture.factors, "application/x-ndjson"), ("/v1/activity", Fixture.facility, "application/x-ndjson"),
            ("/v1/activity", Self.usage("t1", tenant: "T", value: 3, tags: #"{"project":"a"}"#) + "\n" + Self.usage("b1", tenant: "B", value: 1, tags: #"{"project":"z"}"#),
                "application/x-ndjson"),
        ] {
            let (status, answer) = try await suite.post(.collector, path, body: Data(data.utf8), contentType: type, headers: suite.bearer(admin))
            #expect(status == 200, "\(path): \(String(decoding: answer, as: UTF8.self))")
        }
        try await suite.waitDrained()
        let analyst = try await suite.loginToken("an", password)
        func get(_ query: String, _ token: String?) async throws -> (Int, [String: Any]) {
            let (status, data) = try await suite.request(.reporter, "/v1/tags?" + query, method: "GET", headers: suite.bearer(token))
            return (status, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
        }
        #expect(try await get("tenant=T&key=project", nil).0 == 401)
        #expect(try await get("tenant=B&key=project", analyst).0 == 403, "a tenant's analyst reads only its own tenant")
        // Without a tenant, a tenant's user gets its own: T's ecs cell is all project a.
        let (own, answer) = try await get("key=project", analyst)
        #expect(own == 200 && answer["tenant"] as? String == "T")
        #expect((answer["values"] as? [[String: Any]])?.map { $0["value"] as? String } == ["a"])
        let (provider, other) = try await get("tenant=B&key=project", admin)
        #expect(provider == 200 && (other["values"] as? [[String: Any]])?.map { $0["value"] as? String } == ["z"])
        await suite.stopAll()
    }
}
