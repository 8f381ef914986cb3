import CarbonModel
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The dashboard over plain HTTP (no browser): redirects and cookies as sent, the provider
/// view, targets, budgets and alerts on the page, roles, and auth's throttle and lockout
/// applying to logins through the dashboard's form.
@Suite(.serialized) struct DashboardTests {
    /// An HTTP client that neither follows redirects nor keeps cookies, so the test sees the
    /// reporter's answers as they are.
    final class PlainClient: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        // URLSession is thread-safe; the delegate holds no state.
        lazy var session: URLSession = {
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpCookieStorage = nil
            configuration.httpShouldSetCookies = false
            return URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
        }()

        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
            completionHandler: @escaping (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }

        func send(_ url: String, method: String = "GET", form: [String: String]? = nil, cookie: String? = nil) async throws
            -> (status: Int, body: String, headers: [String: String])
        {
            var request = URLRequest(url: URL(string: url)!)
            request.httpMethod = method
            request.timeoutInterval = 120
            if let form {
                request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
                let allowed = CharacterSet.alphanumerics
                request.httpBody = Data(
                    form.sorted { $0.key < $1.key }.map {
                        "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
                    }.joined(separator: "&").utf8)
            }
            if let cookie { request.setValue("cm_session=\(cookie)", forHTTPHeaderField: "Cookie") }
            let (data, response) = try await session.data(for: request)
            let http = response as? HTTPURLResponse
            var headers: [String: String] = [:]
            for (key, value) in http?.allHeaderFields ?? [:] { headers[String(describing: key).lowercased()] = String(describing: value) }
            return (http?.statusCode ?? 0, String(decoding: data, as: UTF8.self), headers)
        }

        /// Signs in through the dashboard's form; returns the session token from Set-Cookie.
        func signIn(_ base: String, _ username: String, _ password: String) async throws -> String {
            var (status, body, headers) = try await send("\(base)/dashboard/login", method: "POST", form: ["username": username, "password": password])
            // 503 means auth was busy (its password queue full) or did not answer in time: the
            // page says to try again shortly, so the test does, after Retry-After, a bounded number of times.
            for _ in 0..<10 where status == 503 {
                try await Task.sleep(for: .seconds(Int(headers["retry-after"] ?? "") ?? 2))
                (status, body, headers) = try await send("\(base)/dashboard/login", method: "POST", form: ["username": username, "password": password])
            }
            guard status == 303, let setCookie = headers["set-cookie"], let start = setCookie.range(of: "cm_session=") else {
                throw SuiteError("dashboard login \(username) answered \(status): \(body)")
            }
            return String(setCookie[start.upperBound...].prefix { $0 != ";" })
        }
    }

    @Test func providerViewTargetsBudgetsRolesAndLockout() async throws {
        // Reporter without --require-auth, so that targets and budgets can be set over its API;
        // the dashboard asks for a login either way.
        let suite = try SuiteProcess(extraArguments: [.auth: ["--max-failed-logins", "3", "--lockout-seconds", "60"]])
        try await suite.start()
        let admin = try await suite.loginToken("admin", try suite.bootstrapPassword())
        let password = "a long enough passphrase"
        for (user, role, tenant) in [("bob", "analyst", "A"), ("carol", "collector", "A"), ("pat", "analyst", nil)] as [(String, String, String?)] {
            var object: [String: Any] = ["username": user, "password": password, "role": role]
            if let tenant { object["tenant"] = tenant }
            let (status, body) = try await suite.administer("/v1/users", object, token: admin)
            #expect(status == 201, "\(body)")
        }
        for (path, data, type) in [
            ("/v1/sites", Fixture.sites, "application/json"), ("/v1/products", Fixture.products, "application/json"),
            ("/v1/factors", Fixture.factors, "application/x-ndjson"), ("/v1/activity", Fixture.facility, "application/x-ndjson"),
            ("/v1/activity", Fixture.usageCSV, "text/csv"), ("/v1/activity", Fixture.usageZMQ, "application/json"),
            // Site q1 (region rq, tenant T, March 2024): a meter with a gap and a spike, so that
            // T's figures rest partly on filled and flagged readings (10 % and 50 %).
            ("/v1/sites", DataQualityPipelineTests.sites, "application/json"),
            ("/v1/products", DataQualityPipelineTests.products, "application/json"),
            ("/v1/factors", DataQualityPipelineTests.factors, "application/x-ndjson"),
            ("/v1/activity", DataQualityPipelineTests.records, "application/x-ndjson"),
        ] {
            let (status, answer) = try await suite.post(.collector, path, body: Data(data.utf8), contentType: type)
            #expect(status == 200, "\(path): \(String(decoding: answer, as: UTF8.self))")
        }
        try await suite.waitDrained()
        // A budget A's January crosses (one actual alert), and a target.
        _ = try await suite.post(.reporter, "/v1/budgets", body: Data(#"[{"tenant":"A","month":"2024-01","kgco2e":1}]"#.utf8), contentType: "application/json")
        _ = try await suite.post(
            .reporter, "/v1/targets", body: Data(#"{"tenant":"A","baseline_year":2023,"reduction_percent":30,"target_year":2030}"#.utf8),
            contentType: "application/json")

        _ = try await suite.post(
            .reporter, "/v1/business-metrics", body: Data(#"{"tenant":"A","month":"2024-01","metric":"orders","value":1000,"unit":"order"}"#.utf8),
            contentType: "application/json")

        let client = PlainClient()
        let base = "http://127.0.0.1:\(suite.httpPort(.reporter))"

        // No session: to the login form. A forged cookie: the same, and the cookie is cleared.
        let anonymous = try await client.send("\(base)/dashboard")
        #expect(anonymous.status == 303 && anonymous.headers["location"] == "/dashboard/login")
        let forged = try await client.send("\(base)/dashboard", cookie: "eyJhbGciOiJFZERTQSJ9.e30.c2ln")
        #expect(forged.status == 303 && forged.headers["set-cookie"]?.contains("Max-Age=0") == true)

        // The cookie a login sets.
        let (loginStatus, _, loginHeaders) = try await client.send(
            "\(base)/dashboard/login", method: "POST", form: ["username": "pat", "password": password])
        #expect(loginStatus == 303 && loginHeaders["location"] == "/dashboard")
        let setCookie = loginHeaders["set-cookie"] ?? ""
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/dashboard"))

        // The provider view: sites with PUE, products, tenants, unallocated, A's budget alert and target.
        let provider = try await client.signIn(base, "pat", password)
        // Without months asked for, the view opens on the data's own months: s2's servers are
        // amortized until 2024-12, but the last meter readings (the data-quality records) are of March.
        let opening = try await client.send("\(base)/dashboard", cookie: provider)
        #expect(opening.body.contains("months 2024-01 to 2024-03"), "default window: \(opening.body.prefix(2000))")
        let later = try await client.send("\(base)/dashboard?from=2024-11&to=2024-12", cookie: provider)
        #expect(later.status == 200 && later.body.contains("months 2024-11 to 2024-12"), "amortized months stay queryable")
        let page = try await client.send("\(base)/dashboard?from=2024-01&to=2024-02", cookie: provider)
        #expect(page.status == 200)
        #expect(page.headers["content-security-policy"]?.contains("default-src 'none'") == true)
        for expected in [
            "CarbonMeter — Provider view", "id=\"sites\"", "<td>s1</td>", "<td>s2</td>", "id=\"unallocated\"", "id=\"tenants\"",
            "/dashboard?tenant=A", "/dashboard?tenant=B", "id=\"trend-chart\"", "over budget", "<td>actual</td>", "off track",
        ] {
            #expect(page.body.contains(expected), "provider page lacks \(expected)")
        }
        #expect(!page.body.contains("<script"), "the page needs no scripts")
        // The provider's total is the site layer's (every site's emissions, allocated or not).
        let siteTotals = try await suite.json(.reporter, "/v1/emissions?layer=site&from=2024-01&to=2024-02&group_by=month")
        let measured = ((siteTotals["totals"] as? [String: Any])?["measured"] as? [String: Any])?["total_location"] as? Double ?? -1
        #expect(page.body.contains("id=\"measured-total-location\">\(FigureFormat.emissions(kg: measured))<"))
        // Figures for people: no scientific notation anywhere on the page.
        #expect(page.body.range(of: #"[0-9]e[-+][0-9]"#, options: .regularExpression) == nil, "scientific notation on the page")
        // A provider may open a tenant's view.
        let tenantView = try await client.send("\(base)/dashboard?tenant=B", cookie: provider)
        #expect(tenantView.status == 200 && tenantView.body.contains("CarbonMeter — Tenant B"))

        // A tenant's analyst: its own tenant, whatever it asks for.
        let analyst = try await client.signIn(base, "bob", password)
        let own = try await client.send("\(base)/dashboard", cookie: analyst)
        #expect(own.status == 200 && own.body.contains("CarbonMeter — Tenant A") && !own.body.contains("id=\"sites\""))
        // A's intensity per order: its January total ÷ 1,000.
        let aJanuary = try await suite.json(.reporter, "/v1/emissions?layer=tenant&tenant=A&mode=measured&from=2024-01&to=2024-01&group_by=tenant")
        let aTotal = ((aJanuary["totals"] as? [String: Any])?["measured"] as? [String: Any])?["total_location"] as? Double ?? -1
        #expect(own.body.range(of: #"[0-9]e[-+][0-9]"#, options: .regularExpression) == nil, "scientific notation in the tenant view")
        #expect(own.body.contains("<td>orders</td>") && own.body.contains("\(FigureFormat.emissions(kg: aTotal / 1000)) per order"), "\(own.body)")
        #expect(try await client.send("\(base)/dashboard?tenant=B", cookie: analyst).status == 403)
        #expect(try await client.send("\(base)/dashboard?tenant=Z", cookie: analyst).status == 403)
        #expect(try await client.send("\(base)/dashboard?tenant=A", cookie: analyst).status == 200)

        // Data quality: the shares on the page are those /v1/emissions answers for the same rows.
        // Provider, 2024-01..02: every site cell (s1 and s2 are both in r1, so one region row), and per site.
        #expect(page.body.contains("id=\"quality-shares\"") && !page.body.contains("not available"))
        let providerShares = try await suite.emissions("layer=site&from=2024-01&to=2024-02&group_by=region&mode=measured")
        #expect(providerShares.count == 1)
        Self.expectShares(page.body, row: "<tr id=\"quality-measured\">", providerShares.first, "provider total")
        for site in try await suite.emissions("layer=site&from=2024-01&to=2024-02&group_by=site,region&mode=measured") {
            let name = site["site"] as? String ?? "?"
            Self.expectShares(page.body, row: "<tr data-site=\"\(name)\">", site, "site \(name)")
        }
        // Tenant A (its own view, the default window holds all its months): per mode and per product.
        let aModes = try await suite.emissions("layer=tenant&tenant=A&group_by=tenant")
        #expect(!aModes.isEmpty)
        for row in aModes {
            let mode = row["mode"] as? String ?? "?"
            Self.expectShares(own.body, row: "<tr id=\"quality-\(mode)\">", row, "tenant A \(mode)")
        }
        for row in try await suite.emissions("layer=tenant&tenant=A&group_by=product") {
            let product = row["product"] as? String ?? "?", mode = row["mode"] as? String ?? "?"
            Self.expectShares(own.body, row: "<tr data-product=\"\(product)\" data-mode=\"\(mode)\">", row, "tenant A product \(product)")
        }
        // Tenant T in March rests on filled (10 %) and flagged (50 %) readings.
        let tView = try await client.send("\(base)/dashboard?tenant=T&from=2024-03&to=2024-03", cookie: provider)
        #expect(tView.status == 200)
        let tRows = try await suite.emissions("layer=tenant&tenant=T&from=2024-03&to=2024-03&group_by=tenant")
        #expect(tRows.count == 1)
        Self.expectShares(tView.body, row: "<tr id=\"quality-measured\">", tRows.first, "tenant T")
        let tShares = Self.renderedShares(tView.body, row: "<tr id=\"quality-measured\">")
        #expect(tShares["filled"] == "10.00 %" && tShares["flagged"] == "50.00 %" && tShares["measured"] == "40.00 %", "\(tShares)")
        #expect(tView.body.contains("<tr data-product=\"vm\" data-mode=\"measured\">"))
        #expect(Self.renderedShares(tView.body, row: "<tr data-product=\"vm\" data-mode=\"measured\">")["filled"] == "10.00 %")
        #expect(tView.body.contains("class=\"quality-bar\"") && tView.body.contains("class=\"q-flagged\""))
        let march = try await client.send("\(base)/dashboard?from=2024-03&to=2024-03", cookie: provider)
        #expect(Self.renderedShares(march.body, row: "<tr data-site=\"q1\">")["flagged"] == "50.00 %")
        // The carbon-free heat map of one site: links to every site keep the window; q1's map is
        // of q1 alone (its March hours); a site name that is markup comes back escaped, with no map.
        #expect(march.body.contains("id=\"cfe-sites\"") && march.body.contains("/dashboard?from=2024-03&amp;to=2024-03&amp;site=q1#cfe"))
        let q1 = try await client.send("\(base)/dashboard?from=2024-03&to=2024-03&site=q1", cookie: provider)
        #expect(q1.status == 200 && q1.body.contains("Carbon-free energy hour by hour, site q1, 2024-03"), "\(q1.body.prefix(200))")
        #expect(q1.body.contains("id=\"cfe-heatmap\"") && q1.body.contains("site=q1#cfe\" aria-current=\"true\""))
        let hostile = try await client.send("\(base)/dashboard?from=2024-03&to=2024-03&site=%3Cscript%3Ex%3C%2Fscript%3E", cookie: provider)
        #expect(hostile.status == 200 && !hostile.body.contains("<script>x") && hostile.body.contains("site &lt;script&gt;x&lt;/script&gt;"))
        #expect(hostile.body.contains("No hours for this site in 2024-03.") && !hostile.body.contains("id=\"cfe-heatmap\""))
        // A tenant's view has no sites to pick: the parameter changes nothing.
        let tenantSite = try await client.send("\(base)/dashboard?tenant=T&from=2024-03&to=2024-03&site=q1", cookie: provider)
        #expect(tenantSite.status == 200 && !tenantSite.body.contains("site q1") && !tenantSite.body.contains("id=\"cfe-sites\""))
        // A collector may not read.
        let collector = try await client.signIn(base, "carol", password)
        #expect(try await client.send("\(base)/dashboard", cookie: collector).status == 403)
        #expect(try await client.send("\(base)/dashboard?from=garbage", cookie: analyst).status == 400)

        // Auth's lockout applies to the dashboard's form: 3 failures lock the name, even with the right password.
        for _ in 0..<3 {
            let failed = try await client.send("\(base)/dashboard/login", method: "POST", form: ["username": "bob", "password": "wrong"])
            #expect(failed.status == 401 && failed.body.contains("Invalid user name or password."))
        }
        let locked = try await client.send("\(base)/dashboard/login", method: "POST", form: ["username": "bob", "password": password])
        #expect(locked.status == 429 && locked.headers["retry-after"] != nil)

        // Sign out: the token is revoked everywhere (here: the reporter's own check refuses it).
        let out = try await client.send("\(base)/dashboard/logout", method: "POST", cookie: provider)
        #expect(out.status == 303 && out.headers["location"] == "/dashboard/login")
        var after = 0
        for _ in 0..<100 {
            after = try await client.send("\(base)/dashboard", cookie: provider).status
            if after == 303 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(after == 303, "a signed-out session leads back to the login form")
        await suite.stopAll()
    }

    /// The text of the four data-quality cells (`data-part="measured"` …) of the page's table
    /// row that starts with `row`.
    static func renderedShares(_ page: String, row: String) -> [String: String] {
        guard let start = page.range(of: row) else { return [:] }
        let rest = page[start.upperBound...]
        let cells = rest[..<(rest.range(of: "</tr>")?.lowerBound ?? rest.endIndex)]
        var shares: [String: String] = [:]
        for part in ["measured", "filled", "flagged", "estimated"] {
            guard let cell = cells.range(of: "data-part=\"\(part)\">") else { continue }
            shares[part] = String(cells[cell.upperBound...].prefix { $0 != "<" })
        }
        return shares
    }

    /// The page's row shows the shares of the `/v1/emissions` row, formatted as the page does.
    static func expectShares(
        _ page: String, row: String, _ answer: [String: Any]?, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let quality = answer?["quality"] as? [String: Any]
        #expect(quality != nil, "\(what): no quality in /v1/emissions", sourceLocation: sourceLocation)
        let rendered = renderedShares(page, row: row)
        for part in ["measured", "filled", "flagged", "estimated"] {
            let value = (quality?[part] as? Double) ?? (quality?[part] as? NSNumber)?.doubleValue
            let expected = value.map { String(format: "%.2f %%", $0 * 100) }
            #expect(
                expected != nil && rendered[part] == expected, "\(what) \(part): page \(rendered[part] ?? "none"), API \(expected ?? "none")",
                sourceLocation: sourceLocation)
        }
    }
}
