import CarbonModel
import Foundation
import Testing

/// The dashboard in a real headless Chromium, against the real suite with authentication
/// required: the browser is sent to the login page, a user of tenant A types its name and
/// password into the form and submits it (the reporter forwards them to auth over ZeroMQ),
/// and the test reads the page the browser rendered. A screenshot is kept as a test artefact.
///
/// Without a Chromium binary the test is skipped (the reason is printed); CI installs Debian's
/// `chromium` (scripts/install-deps --browser) and sets CM_REQUIRE_BROWSER=1, so there it runs
/// or fails.
@Suite(.serialized) struct DashboardBrowserTests {
    /// Where screenshots go: `CM_TEST_ARTEFACTS`, or `.build/test-artefacts` in the package.
    static var artefacts: URL {
        if let dir = ProcessInfo.processInfo.environment["CM_TEST_ARTEFACTS"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/test-artefacts")
    }

    static let chromium = HeadlessBrowser.binary()
    /// Set by CI (.ci/run): a missing browser is then a failure, not a skip.
    static let browserRequired = ProcessInfo.processInfo.environment["CM_REQUIRE_BROWSER"] == "1"

    @Test(
        .enabled(
            if: chromium != nil || browserRequired,
            "no chromium binary on the PATH (apt-get install chromium, or set CM_CHROMIUM); browser test skipped"))
    func aTenantUserLogsInInTheBrowserAndSeesItsOwnDashboard() async throws {
        let binary = try #require(Self.chromium, "CM_REQUIRE_BROWSER=1 but no chromium binary was found")
        let suite = try SuiteProcess(extraArguments: SuiteProcess.secured())
        try await suite.start()
        let admin = try await suite.loginToken("admin", try suite.bootstrapPassword())
        suite.credential = admin  // /v1/status, polled by waitDrained, needs a credential under --require-auth
        let password = "tenant A's own passphrase"
        let (created, body) = try await suite.administer(
            "/v1/users", ["username": "alice", "password": password, "role": "analyst", "tenant": "A"], token: admin)
        #expect(created == 201, "\(body)")
        for (path, data, type) in [
            ("/v1/sites", Fixture.sites, "application/json"), ("/v1/products", Fixture.products, "application/json"),
            ("/v1/factors", Fixture.factors, "application/x-ndjson"), ("/v1/activity", Fixture.facility, "application/x-ndjson"),
            ("/v1/activity", Fixture.usageCSV, "text/csv"), ("/v1/activity", Fixture.usageZMQ, "application/json"),
        ] {
            let (status, answer) = try await suite.post(.collector, path, body: Data(data.utf8), contentType: type, headers: suite.bearer(admin))
            #expect(status == 200, "\(path): \(String(decoding: answer, as: UTF8.self))")
        }
        try await suite.waitDrained()
        // What the page must show: tenant A's measured location-based total, from /v1/emissions.
        let (_, emissions) = try await suite.request(.reporter, "/v1/emissions?layer=tenant&tenant=A&group_by=tenant", method: "GET", headers: suite.bearer(admin))
        let object = try #require(try JSONSerialization.jsonObject(with: emissions) as? [String: Any])
        let measured = try #require((object["totals"] as? [String: Any])?["measured"] as? [String: Any])
        let expectedTotal = FigureFormat.emissions(kg: try #require(measured["total_location"] as? Double))
        #expect(expectedTotal != "0 kg")

        let browser = try await HeadlessBrowser.launch(binary: binary)
        defer { browser.close() }
        let base = "http://127.0.0.1:\(suite.httpPort(.reporter))"

        // Without a session the dashboard sends the browser to the login form.
        try await browser.navigate("\(base)/dashboard")
        try await browser.waitForPage(path: "/dashboard/login")

        // A wrong password: the form again, with the reason.
        try await signIn(browser, "alice", "not the password at all")
        try await browser.waitForPage(path: "/dashboard/login")
        let refusal = try await browser.evaluate("document.getElementById('login-error')?.textContent ?? ''") as? String
        #expect(refusal == "Invalid user name or password.")

        // The right one: the dashboard of tenant A.
        try await signIn(browser, "alice", password)
        try await browser.waitForPage(path: "/dashboard")
        let heading = try await browser.evaluate("document.getElementById('subject').textContent") as? String
        #expect(heading == "CarbonMeter — Tenant A")
        let total = try await browser.evaluate("document.getElementById('measured-total-location').textContent") as? String
        #expect(total == expectedTotal)
        let bars = try await browser.evaluate("document.querySelectorAll('svg#trend-chart rect.bar').length") as? Int ?? 0
        #expect(bars >= 3, "the trend chart draws a stacked column per month")
        let months = try await browser.evaluate("document.querySelector('svg#trend-chart').textContent") as? String ?? ""
        #expect(months.contains("2024-01"))
        let products = try await browser.evaluate("document.getElementById('by-product').innerText") as? String ?? ""
        #expect(products.contains("ecs") && products.contains("oss"))
        // Data quality: the measured results' shares as /v1/emissions answers them, and a bar each.
        let measuredRow = (object["rows"] as? [[String: Any]])?.first { $0["mode"] as? String == "measured" }
        let shares = try #require(measuredRow?["quality"] as? [String: Any])
        for part in ["measured", "filled", "flagged", "estimated"] {
            let value = try #require((shares[part] as? Double) ?? (shares[part] as? NSNumber)?.doubleValue)
            let rendered = try await browser.evaluate("document.getElementById('quality-measured-\(part)')?.textContent ?? ''") as? String
            #expect(rendered == String(format: "%.2f %%", value * 100), "\(part) share")
        }
        let qualityBars = try await browser.evaluate("document.querySelectorAll('#quality svg.quality-bar').length") as? Int ?? 0
        #expect(qualityBars >= 2, "a quality bar for the total and one per product")
        let qualityText = try await browser.evaluate("document.getElementById('quality').innerText") as? String ?? ""
        #expect(!qualityText.contains("not available"))
        // Tenant A's page has no provider sections and names no other tenant.
        let providerSections = try await browser.evaluate("document.querySelectorAll('#sites, #tenants, #unallocated').length") as? Int
        #expect(providerSections == 0)
        let text = try await browser.evaluate("document.body.innerText") as? String ?? ""
        #expect(!text.contains("Tenant B") && !text.contains("tenant B"))
        // The session cookie is HttpOnly (scripts cannot read it) and SameSite=Strict.
        let visibleToScripts = try await browser.evaluate("document.cookie") as? String
        #expect(visibleToScripts == "")
        let cookie = try #require(try await browser.cookies(for: "\(base)/dashboard").first { $0["name"] as? String == "cm_session" })
        #expect(cookie["httpOnly"] as? Bool == true)
        #expect(cookie["sameSite"] as? String == "Strict")
        let token = try #require(cookie["value"] as? String)

        let png = try await browser.screenshot()
        try FileManager.default.createDirectory(at: Self.artefacts, withIntermediateDirectories: true)
        let file = Self.artefacts.appendingPathComponent("dashboard.png")
        try png.write(to: file)
        print("dashboard screenshot (\(png.count) bytes): \(file.path)")
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))

        // Another tenant's view is refused.
        try await browser.navigate("\(base)/dashboard?tenant=B")
        try await browser.waitForPage(path: "/dashboard")
        let refused = try await browser.evaluate("document.getElementById('message')?.textContent ?? ''") as? String
        #expect(refused == "a tenant's users see only their own tenant")

        // Signing out revokes the token at auth and drops the cookie.
        try await browser.navigate("\(base)/dashboard")
        try await browser.waitForPage(path: "/dashboard")
        try await browser.submitAndWait("document.getElementById('logout').click()")
        try await browser.waitForPage(path: "/dashboard/login")
        try await browser.navigate("\(base)/dashboard")
        try await browser.waitForPage(path: "/dashboard/login")
        var revokedStatus = 0
        for _ in 0..<100 {
            (revokedStatus, _) = try await suite.request(.reporter, "/v1/emissions?layer=tenant", method: "GET", headers: suite.bearer(token))
            if revokedStatus == 401 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(revokedStatus == 401, "the dashboard's token is revoked after sign-out")

        // Auth audited the dashboard's logins like any other: one failure, one success, one logout.
        let (_, audit) = try await suite.request(.auth, "/v1/audit?limit=1000", method: "GET", headers: suite.bearer(admin))
        let rows = (try JSONSerialization.jsonObject(with: audit) as? [String: Any])?["rows"] as? [[String: Any]] ?? []
        let alice = rows.filter { $0["actor"] as? String == "alice" }
        #expect(alice.filter { $0["action"] as? String == "login" && $0["outcome"] as? String == "failure" }.count == 1)
        #expect(alice.filter { $0["action"] as? String == "login" && $0["outcome"] as? String == "success" }.count == 1)
        #expect(alice.contains { $0["action"] as? String == "token.revoke" && ($0["detail"] as? String ?? "").contains("reporter dashboard") })
        browser.close()
        await suite.stopAll()
    }

    /// Types the name and password into the login form and clicks "Sign in", as a user would.
    private func signIn(_ browser: HeadlessBrowser, _ username: String, _ password: String) async throws {
        let fields = try String(decoding: JSONSerialization.data(withJSONObject: [username, password]), as: UTF8.self)
        try await browser.submitAndWait(
            """
            (() => { const [u, p] = \(fields);
              document.getElementById('username').value = u; document.getElementById('password').value = p;
              document.getElementById('login-submit').click(); })()
            """)
    }
}
