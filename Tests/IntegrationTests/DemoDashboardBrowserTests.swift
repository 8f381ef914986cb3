import CarbonModel
import Foundation
import Testing

/// What a newcomer sees: `scripts/demo` loads a generated demo (13 months, 3 sites, 6 named
/// tenants, an estimated public-cloud tenant, business metrics, targets and budgets) into a
/// real suite, and the dashboard is read in headless Chromium at a desktop width and at a
/// phone's 390 px, as the provider and as a tenant. Screenshots go to the test artefacts.
@Suite(.serialized) struct DemoDashboardBrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `scripts/demo` against the suite's ports; its output, or a failure naming its status.
    func loadDemo(_ suite: SuiteProcess) throws -> String {
        let process = Process()
        process.executableURL = Self.root.appendingPathComponent("scripts/demo")
        process.arguments = ["--tenants", "6", "--months", "13", "--sites", "3"]
        var environment = ProcessInfo.processInfo.environment
        environment["CM_DATA_DIR"] = suite.dataDir.path
        environment["CM_COLLECTOR_HTTP_PORT"] = "\(suite.httpPort(.collector))"
        environment["CM_REPORTER_HTTP_PORT"] = "\(suite.httpPort(.reporter))"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw SuiteError("scripts/demo exited with \(process.terminationStatus): \(text)") }
        return text
    }

    @Test(
        .enabled(
            if: DashboardBrowserTests.chromium != nil || DashboardBrowserTests.browserRequired,
            "no chromium binary on the PATH (apt-get install chromium, or set CM_CHROMIUM); browser test skipped"))
    func theDemoFillsEverySectionAtDesktopAndPhoneWidths() async throws {
        let binary = try #require(DashboardBrowserTests.chromium, "CM_REQUIRE_BROWSER=1 but no chromium binary was found")
        let suite = try SuiteProcess()
        try await suite.start()
        let printed = try loadDemo(suite)
        #expect(printed.contains("targets and") && printed.contains("acme"), "\(printed)")
        let base = "http://127.0.0.1:\(suite.httpPort(.reporter))"
        let password = try suite.bootstrapPassword()
        try FileManager.default.createDirectory(at: DashboardBrowserTests.artefacts, withIntermediateDirectories: true)

        for width in [1280, 390] {
            let browser = try await HeadlessBrowser.launch(binary: binary, windowWidth: width, windowHeight: 2400)
            defer { browser.close() }
            // A window cannot be made as narrow as a phone: the page is shown as a phone shows it.
            if width < 500 {
                _ = try await browser.call(
                    "Emulation.setDeviceMetricsOverride", ["width": width, "height": 2400, "deviceScaleFactor": 1, "mobile": true])
            }
            try await browser.navigate("\(base)/dashboard")
            try await browser.waitForPage(path: "/dashboard/login")
            let fields = try String(decoding: JSONSerialization.data(withJSONObject: ["admin", password]), as: UTF8.self)
            try await browser.submitAndWait(
                """
                (() => { const [u, p] = \(fields);
                  document.getElementById('username').value = u; document.getElementById('password').value = p;
                  document.getElementById('login-submit').click(); })()
                """)
            try await browser.waitForPage(path: "/dashboard")

            // The provider's view: the demo's tenants, a year of trend, every section filled.
            let text = try await browser.evaluate("document.body.innerText") as? String ?? ""
            for tenant in ["acme", "globex", "initech", "pied-piper"] { #expect(text.contains(tenant), "\(width) px: \(tenant) not listed") }
            let months = try await browser.evaluate("document.querySelectorAll('#trend table tr').length - 1") as? Int ?? 0
            #expect(months >= 12, "\(width) px: the trend has \(months) months")
            // Every scope of the last month in figures, location- and market-based side by side.
            let lastMonth = try await browser.evaluate("[...document.querySelectorAll('#trend-table tr')].pop().innerText") as? String ?? ""
            #expect(lastMonth.split(separator: "\t").count >= 7, "\(width) px: the trend's last row is \(lastMonth)")
            #expect(text.range(of: #"[0-9]e[-+][0-9]"#, options: .regularExpression) == nil, "\(width) px: scientific notation")
            for empty in ["Nothing yet", "No results for these months", "No tenant results yet", "No site results yet", "No target set", "No budget set"] {
                #expect(!text.contains(empty), "\(width) px: '\(empty)'")
            }
            #expect(text.contains("over budget"), "\(width) px: the exceeded budget")
            // The last month hour by hour: 24 columns, each with its figure in a title.
            let hourColumns = try await browser.evaluate("document.querySelectorAll('svg#hourly-chart rect.hour title').length") as? Int ?? 0
            #expect(hourColumns == 24, "\(width) px: \(hourColumns) hourly columns")
            // The same month's carbon-free share, day by day and hour by hour, each hour titled.
            let cfeHours = try await browser.evaluate("document.querySelectorAll('svg#cfe-heatmap rect title').length") as? Int ?? 0
            #expect(cfeHours >= 28 * 24, "\(width) px: \(cfeHours) hours in the carbon-free heat map")
            #expect(text.contains("Scope 2 market-based, hourly matching"), "\(width) px: no hourly-matching total")
            // The data-centre indicators of every site, each a number (the demo measures every
            // input), and the PUE targets with the one site whose last month is above its threshold.
            let indicatorRows = try await browser.evaluate("document.querySelectorAll('#indicators tr[data-indicators-site]').length") as? Int ?? 0
            #expect(indicatorRows == 3, "\(width) px: \(indicatorRows) sites with indicators")
            let notMeasured = try await browser.evaluate("document.querySelectorAll('#indicators td.not-measured').length") as? Int ?? -1
            #expect(notMeasured == 1, "\(width) px: \(notMeasured) indicators not measured (ERF at the one site without reuse, and only it)")
            let targetRows = try await browser.evaluate("document.querySelectorAll('#indicator-targets tr').length - 1") as? Int ?? 0
            #expect(targetRows == 3, "\(width) px: \(targetRows) PUE targets")
            let alerted = try await browser.evaluate("document.querySelectorAll('#indicator-targets td.alert').length") as? Int ?? 0
            #expect(alerted == 1, "\(width) px: \(alerted) sites with a PUE alert")
            // At a phone's width the page itself does not scroll sideways (wide tables scroll in their section).
            let viewport = try await browser.evaluate("window.innerWidth") as? Int ?? 0
            let pageWidth = try await browser.evaluate("document.documentElement.scrollWidth") as? Int ?? 0
            #expect(viewport == width, "the viewport is \(viewport) px wide, not \(width)")
            #expect(pageWidth <= width + 1, "\(width) px: the page is \(pageWidth) px wide")
            try (try await browser.screenshot()).write(to: DashboardBrowserTests.artefacts.appendingPathComponent("demo-provider-\(width).png"))

            // A tenant's view: its intensity per order and its tags.
            try await browser.navigate("\(base)/dashboard?tenant=acme")
            try await browser.waitForPage(path: "/dashboard")
            let tenantText = try await browser.evaluate("document.body.innerText") as? String ?? ""
            #expect(tenantText.contains("CarbonMeter — Tenant acme"))
            #expect(tenantText.contains("per order"), "\(width) px: no intensity per order")
            // acme has a reduction target: its path is drawn over every month of the trend.
            let pathSegments = try await browser.evaluate("document.querySelectorAll('svg#trend-chart line.target-path').length") as? Int ?? 0
            #expect(pathSegments >= 12, "\(width) px: \(pathSegments) target-path segments")
            let tagSections = try await browser.evaluate("document.querySelectorAll('section[id^=\"by-tag-\"]').length") as? Int ?? 0
            #expect(tagSections >= 1, "\(width) px: no tag breakdown")
            try (try await browser.screenshot()).write(to: DashboardBrowserTests.artefacts.appendingPathComponent("demo-tenant-\(width).png"))
        }
        await suite.stopAll()
    }
}
