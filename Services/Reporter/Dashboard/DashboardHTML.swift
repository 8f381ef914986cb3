import CarbonModel
import Foundation

/// Renders the dashboard and its login page as self-contained HTML: inline CSS and inline SVG,
/// no scripts, fonts or images from elsewhere, so the page works with JavaScript off and
/// leaks nothing to a third party. Figures are written as ``FigureFormat`` writes them, like the reports.
enum DashboardHTML {
    /// Who is looking, shown in the header.
    struct Viewer: Sendable {
        var subject: String
        var role: String
        var tenant: String?
    }

    static let style = """
        body{font-family:Helvetica,Arial,sans-serif;color:#222;margin:0;background:#f4f6f4}
        header{background:#1e4d2b;color:#fff;padding:.8em 1.5em;display:flex;justify-content:space-between;align-items:center}
        header h1{font-size:1.2em;margin:0}header form{display:inline}header button{margin-left:1em}
        main{padding:1em 1.5em;max-width:75em}
        section{background:#fff;border:1px solid #d5dbd5;border-radius:4px;padding:.6em 1em;margin:0 0 1em 0}
        h2{font-size:1.05em;margin:.2em 0 .6em 0}
        table{border-collapse:collapse;font-size:.85em;margin:.3em 0}
        th,td{border:1px solid #c8cec8;padding:.2em .5em}th{background:#eef2ee;text-align:left}
        td.n{text-align:right;font-variant-numeric:tabular-nums}
        .cards{display:flex;flex-wrap:wrap;gap:.8em}
        .card{border:1px solid #c8cec8;border-radius:4px;padding:.4em .8em;min-width:11em}
        .card .v{font-size:1.3em;font-weight:bold}.card .l{font-size:.8em;color:#555}
        .note{font-size:.85em;color:#555}.over{color:#b00020;font-weight:bold}.ok{color:#1e6b35}
        .error{color:#b00020}
        form.window label{margin-right:.6em}
        section{overflow-x:auto}
        svg#trend-chart,svg#hourly-chart,svg#cfe-heatmap,svg.bars,svg.quality-legend{max-width:100%;height:auto}
        a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #1e4d2b;outline-offset:2px}
        .skip{position:absolute;left:-9999px}.skip:focus{left:1em;top:.5em;background:#fff;color:#1e4d2b;padding:.3em .6em;z-index:1}
        @media (max-width:40em){
        header{flex-wrap:wrap;gap:.4em;padding:.6em .8em}main{padding:.6em}section{padding:.5em .6em}
        .card{min-width:0;flex:1 1 40%}.card .v{font-size:1.1em}table{font-size:.8em}
        form.window label{display:block;margin:.2em 0}
        }
        """

    // MARK: Login

    static func loginPage(message: String?, username: String = "") -> Data {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>CarbonMeter — sign in</title>
            <style>\(style)
            .login{max-width:22em;margin:4em auto}.login input{width:100%;box-sizing:border-box;margin:.2em 0 .8em 0;padding:.3em}
            </style></head>
            <body>
            <header><h1>CarbonMeter dashboard</h1></header>
            <main><section class="login">
            <h2>Sign in</h2>

            """
        if let message { html += "<p class=\"error\" id=\"login-error\">\(escape(message))</p>\n" }
        html += """
            <form method="post" action="/dashboard/login" id="login-form">
            <label for="username">User name</label><input id="username" name="username" autocomplete="username" value="\(escape(username))" required>
            <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit" id="login-submit">Sign in</button>
            </form>
            <p class="note">Users and passwords are those of the auth service (POST /v1/login).</p>
            </section></main>
            </body>
            </html>

            """
        return Data(html.utf8)
    }

    /// A page that only says why it cannot show anything (403, 503).
    static func messagePage(title: String, message: String) -> Data {
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>CarbonMeter — \(escape(title))</title><style>\(style)</style></head>
            <body><header><h1>CarbonMeter dashboard</h1></header>
            <main><section><h2>\(escape(title))</h2><p class="error" id="message">\(escape(message))</p>
            <p><a href="/dashboard">Back to the dashboard</a></p></section></main></body></html>

            """
        return Data(html.utf8)
    }

    // MARK: Dashboard

    static func page(_ view: DashboardView, viewer: Viewer) -> Data {
        let title: String
        switch view.subject {
        case .tenant(let name): title = "Tenant \(name)"
        case .provider: title = "Provider view"
        }
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>CarbonMeter — \(escape(title))</title><style>\(style)</style></head>
            <body>
            <a class="skip" href="#main">Skip to the figures</a>
            <header><h1 id="subject">CarbonMeter — \(escape(title))</h1>
            <div>Signed in as <strong id="viewer">\(escape(viewer.subject))</strong> (\(escape(viewer.role))\(viewer.tenant.map { ", tenant " + escape($0) } ?? ""))
            <form method="post" action="/dashboard/logout"><button type="submit" id="logout">Sign out</button></form></div>
            </header>
            <main id="main">

            """
        html += windowForm(view)
        html += totalsSection(view)
        html += trendSection(view)
        html += breakdownSection("By product", id: "by-product", view.byProduct, showUsage: true, showUnallocated: view.subject == .provider)
        html += breakdownSection("By region", id: "by-region", view.byRegion, showUsage: false, showUnallocated: view.subject == .provider)
        if view.subject == .provider {
            html += sitesSection(view)
            html += indicatorsSection(view)
            html += unallocatedSection(view)
            html += tenantsSection(view)
        }
        if case .tenant = view.subject {
            html += intensitySection(view)
            html += tagSections(view)
        }
        html += targetsSection(view)
        html += budgetsSection(view)
        html += qualitySection(view)
        html += """
            <p class="note">Emissions in tonnes (t), kilograms (kg) or grams (g) of CO<sub>2</sub>e, whichever keeps the figure readable (the JSON
            and CSV answers keep every digit, in kg); energy in kWh; months \(view.from) to \(view.to) (UTC). Location-based totals =
            scope 1 + scope 2 location-based + scope 3; market-based totals use scope 2 market-based. Measured and estimated results are
            never added together.</p>
            </main>
            </body>
            </html>

            """
        return Data(html.utf8)
    }

    private static func windowForm(_ view: DashboardView) -> String {
        var hidden = ""
        if case .tenant(let name) = view.subject { hidden = "<input type=\"hidden\" name=\"tenant\" value=\"\(escape(name))\">" }
        return """
            <section><form class="window" method="get" action="/dashboard">\(hidden)
            <label>From <input name="from" value="\(view.from)" size="8"></label>
            <label>To <input name="to" value="\(view.to)" size="8"></label>
            <button type="submit">Show</button></form></section>

            """
    }

    private static func totalsSection(_ view: DashboardView) -> String {
        var html = "<section id=\"totals\"><h2>Totals</h2>\n"
        if view.totals.isEmpty { html += "<p id=\"no-results\">No results for these months yet.</p>\n" }
        for mode in [ResultMode.measured, .estimated] {
            guard let f = view.totals[mode] else { continue }
            html += "<h3>\(mode == .measured ? "Measured" : "Estimated")</h3>\n<div class=\"cards\">\n"
            let cards: [(String, String, Double)] = [
                ("total-location", "Total, location-based (CO2e)", f.totalLocation),
                ("total-market", "Total, market-based (CO2e)", f.totalMarket),
                ("scope1", "Scope 1", f.scope1),
                ("scope2-location", "Scope 2 location-based", f.scope2Location),
                ("scope2-market", "Scope 2 market-based, monthly matching", f.scope2Market),
                ("scope2-market-hourly", "Scope 2 market-based, hourly matching", f.scope2MarketHourly),
                ("scope3", "Scope 3 (embodied)", f.scope3),
                ("energy", "Energy (kWh)", f.energyKWh),
                ("cfe-share", "Carbon-free energy (share, hourly matching)", f.cfeShare),
            ]
            for (id, label, value) in cards {
                let written = id == "energy" ? number(value) : id == "cfe-share" ? number(value * 100) + " %" : mass(value)
                html += "<div class=\"card\"><div class=\"v\" id=\"\(mode.rawValue)-\(id)\">\(written)</div><div class=\"l\">\(escape(label))</div></div>\n"
            }
            html += "</div>\n"
        }
        return html + "</section>\n"
    }

    private static func trendSection(_ view: DashboardView) -> String {
        var html = "<section id=\"trend\"><h2>Monthly trend (measured)</h2>\n"
        html += DashboardChart.monthlyColumns(
            view.trend.map { point in (point.month.description, view.trendScopes[point.month] ?? .zero) }, reference: view.trendReference)
        // Every scope in figures beside the chart (scope 1 and 3 can be too thin to see in a bar),
        // and the market-based total beside the location-based one.
        html += "<table id=\"trend-table\"><tr><th>Month</th><th>Scope 1</th><th>Scope 2 location</th><th>Scope 3</th><th>Total location</th>"
        html += "<th>Scope 2 market</th><th>Total market</th><th>Change on previous month</th><th>Change on a year before</th></tr>\n"
        for point in view.trend {
            let f = view.trendScopes[point.month] ?? .zero
            html += "<tr><td>\(point.month)</td><td class=\"n\">\(mass(f.scope1))</td><td class=\"n\">\(mass(f.scope2Location))</td>"
            html += "<td class=\"n\">\(mass(f.scope3))</td><td class=\"n\">\(mass(point.value))</td>"
            html += "<td class=\"n\">\(mass(f.scope2Market))</td><td class=\"n\">\(mass(f.totalMarket))</td>"
            html += "<td class=\"n\">\(change(point.monthOverMonth, point.monthOverMonthPercent))</td>"
            html += "<td class=\"n\">\(change(point.yearOverYear, point.yearOverYearPercent))</td></tr>\n"
        }
        html += "</table>"
        if let profile = view.hourlyProfile {
            html += "<h3 id=\"hourly\">Hour by hour, \(profile.month) (average of each UTC hour of the day, measured, location-based)</h3>\n"
            html += DashboardChart.hourlyColumns(profile.hours)
            html += "<details><summary>The figures</summary><table id=\"hourly-table\"><tr><th>Hour (UTC)</th><th>Average</th></tr>\n"
            for (hour, value) in profile.hours.enumerated() {
                html += "<tr><td>\(String(format: "%02d", hour)):00</td><td class=\"n\">\(mass(value))</td></tr>\n"
            }
            html += "</table></details>\n"
        }
        if view.subject.isProvider, !view.sites.isEmpty {
            // Links keep the window; names are the provider's, so encoded in the URL and escaped in the text.
            let window = "from=\(view.from)&amp;to=\(view.to)"
            var links = ["<a href=\"/dashboard?\(window)#cfe\"\(view.heatMapSite == nil ? " aria-current=\"true\"" : "")>all sites</a>"]
            for site in view.sites.map(\.site).sorted() {
                let current = site == view.heatMapSite ? " aria-current=\"true\"" : ""
                links.append("<a href=\"/dashboard?\(window)&amp;site=\(query(site))#cfe\"\(current)>\(escape(site))</a>")
            }
            html += "<p id=\"cfe-sites\">Carbon-free energy hour by hour of: \(links.joined(separator: " · "))</p>\n"
        }
        if let site = view.heatMapSite, view.cfeHeatMap == nil {
            html += "<h3 id=\"cfe\">Carbon-free energy hour by hour, site \(escape(site))</h3>\n<p>No hours for this site in \(view.to).</p>\n"
        }
        if let map = view.cfeHeatMap {
            let whose = map.site.map { "site \(escape($0)), " } ?? ""
            html += "<h3 id=\"cfe\">Carbon-free energy hour by hour, \(whose)\(map.month) (share of each hour's energy: on-site renewables and grid electricity covered by certificates of the same hour)</h3>\n"
            html += DashboardChart.cfeHeatMap(map)
            html += "<details><summary>The figures</summary><table id=\"cfe-table\"><tr><th>Day</th><th>Carbon-free share</th></tr>\n"
            for (day, hours) in map.shares.enumerated() {
                let known = hours.compactMap { $0 }
                let average = known.isEmpty ? "—" : number(known.reduce(0, +) / Double(known.count) * 100) + " %"
                html += "<tr><td>\(map.month)-\(String(format: "%02d", day + 1))</td><td class=\"n\">\(average)</td></tr>\n"
            }
            html += "</table></details>\n"
        }
        return html + "</section>\n"
    }

    private static func breakdownSection(_ title: String, id: String, _ lines: [DashboardView.Line], showUsage: Bool, showUnallocated: Bool) -> String {
        var html = "<section id=\"\(id)\"><h2>\(escape(title))</h2>\n"
        guard !lines.isEmpty else { return html + "<p>Nothing yet.</p></section>\n" }
        html += DashboardChart.bars(lines.filter { $0.mode == .measured }.map { ($0.name, $0.figures.totalLocation) })
        html += "<table><tr><th>Name</th><th>Mode</th><th>Scope 1</th><th>Scope 2 location</th><th>Scope 2 market</th><th>Scope 3</th>"
        html += "<th>Total location</th><th>Total market</th><th>Energy kWh</th>"
        if showUsage { html += "<th>Usage</th><th>CO2e per usage unit</th>" }
        if showUnallocated { html += "<th>Not allocated (location)</th>" }
        html += "</tr>\n"
        for line in lines {
            let f = line.figures
            html += "<tr><td>\(escape(line.name))</td><td>\(line.mode.rawValue)</td>"
            for value in [f.scope1, f.scope2Location, f.scope2Market, f.scope3, f.totalLocation, f.totalMarket] {
                html += "<td class=\"n\">\(mass(value))</td>"
            }
            html += "<td class=\"n\">\(number(f.energyKWh))</td>"
            if showUsage {
                html += "<td class=\"n\">\(line.usage.map(number) ?? "—")</td>"
                html += "<td class=\"n\">\(line.usage.flatMap { Intensity.per(f.totalLocation, $0) }.map(mass) ?? "—")</td>"
            }
            if showUnallocated { html += "<td class=\"n\">\(line.unallocated.map { mass($0.totalLocation) } ?? "—")</td>" }
            html += "</tr>\n"
        }
        return html + "</table></section>\n"
    }

    /// One breakdown per tag key; the values of a key add up to the tenant's totals.
    private static func tagSections(_ view: DashboardView) -> String {
        guard !view.tagBreakdowns.isEmpty else {
            return "<section id=\"by-tag\"><h2>By tag</h2><p>No usage with tags in these months.</p></section>\n"
        }
        return view.tagBreakdowns.map {
            breakdownSection("By tag: \($0.key)", id: "by-tag-\(escape($0.key))", $0.lines, showUsage: false, showUnallocated: false)
        }.joined()
    }

    private static func sitesSection(_ view: DashboardView) -> String {
        var html = "<section id=\"sites\"><h2>Sites (data centers)</h2>\n"
        guard !view.sites.isEmpty else { return html + "<p>No site results yet.</p></section>\n" }
        html += "<table><tr><th>Site</th><th>Region</th><th>Total location</th><th>Total market</th><th>Energy kWh</th>"
        html += "<th>PUE</th><th>Not allocated to a product (location)</th></tr>\n"
        for site in view.sites {
            html += "<tr><td>\(escape(site.site))</td><td>\(escape(site.region))</td><td class=\"n\">\(mass(site.figures.totalLocation))</td>"
            html += "<td class=\"n\">\(mass(site.figures.totalMarket))</td><td class=\"n\">\(number(site.figures.energyKWh))</td>"
            html += "<td class=\"n\">\(site.pue.map { String(format: "%.3f", $0) + " (" + escape(site.pueMonth ?? "") + ")" } ?? "not reported")</td>"
            html += "<td class=\"n\">\(mass(site.unallocated.totalLocation))</td></tr>\n"
        }
        return html + "</table><p class=\"note\">PUE = total facility kWh ÷ IT kWh of the site's latest month in the window that has IT meter data.</p></section>\n"
    }

    /// Each site's data-centre indicators over the window: a value, or "not measured" with the
    /// reason in its title (never a 0 for what nobody measured); then the targets and alerts.
    private static func indicatorsSection(_ view: DashboardView) -> String {
        var html = "<section id=\"indicators\"><h2>Data-centre indicators, \(view.from) to \(view.to)</h2>\n"
        guard !view.indicators.isEmpty else { return html + "<p>No data-centre data in the window.</p></section>\n" }
        func cell(_ indicator: SiteIndicators.Indicator, digits: Int = 3) -> String {
            guard let value = indicator.value else {
                return "<td class=\"n not-measured\" title=\"\(escape(indicator.reason ?? ""))\">not measured</td>"
            }
            let title = indicator.reason.map { " title=\"\(escape($0))\"" } ?? ""
            let mark = indicator.status == .partial ? " *" : ""
            return "<td class=\"n\"\(title)>\(String(format: "%.\(digits)f", value))\(mark)</td>"
        }
        html += "<table><tr><th>Site</th><th>PUE</th><th>REF</th><th>ERF</th><th>WUE L/kWh</th><th>CER</th><th>CUE kg/kWh (location)</th>"
        html += "<th>Water consumed m³</th><th>Notes</th></tr>\n"
        for (site, k) in view.indicators {
            html += "<tr data-indicators-site=\"\(escape(site))\"><td>\(escape(site))</td>"
            html += cell(k.pue) + cell(k.ref) + cell(k.erf) + cell(k.wue) + cell(k.cer) + cell(k.cueLocation)
            html += "<td class=\"n\">\(k.inputs.waterConsumedL.map { number($0 / 1_000) } ?? "not measured")</td>"
            var notes = k.flags.map { "\($0.month): discharge above withdrawal, kept" }
            if !k.missingMonths.isEmpty { notes.append("no data: \(k.missingMonths.joined(separator: ", "))") }
            html += "<td>\(escape(notes.joined(separator: "; ")))</td></tr>\n"
        }
        html += "</table><p class=\"note\">Ratios of sums over the months that measured every input (* over fewer months than the window has data for; the cell's title says which). PUE = facility ÷ IT energy; REF = renewable (on site, and certificates up to the grid electricity) ÷ facility energy; ERF = reused ÷ facility energy; WUE = water consumed (withdrawn − discharged) ÷ IT energy; CER = IT energy (the heat removed) ÷ cooling energy; CUE = scope 1 + 2 ÷ IT energy.</p>\n"
        if !view.indicatorTargets.isEmpty {
            html += "<h3>Targets \(view.to.year)</h3><table id=\"indicator-targets\"><tr><th>Site</th><th>Indicator</th><th>Target</th><th>So far</th><th>Status</th><th>Months above the alert threshold</th></tr>\n"
            for target in view.indicatorTargets {
                let actual = target.actual.map { String(format: "%.3f", $0) } ?? "not measured"
                let status = target.onTrack.map { $0 ? "on track" : "above target" } ?? "not measured"
                let alerts = target.alerts.map { "\($0.month) (\(String(format: "%.3f", $0.value)))" }.joined(separator: ", ")
                html += "<tr><td>\(escape(target.site))</td><td>\(target.indicator.uppercased())</td><td class=\"n\">\(String(format: "%.3f", target.target))</td>"
                html += "<td class=\"n\">\(actual)</td><td>\(status)</td><td\(target.alerts.isEmpty ? "" : " class=\"alert\"")>\(alerts.isEmpty ? "none" : alerts)</td></tr>\n"
            }
            html += "</table>\n"
        }
        return html + "</section>\n"
    }

    /// What stayed with the provider: site emissions no product was allocated (no IT meter
    /// data that month) and product emissions no tenant was allocated (idle capacity of
    /// capacity-based products).
    private static func unallocatedSection(_ view: DashboardView) -> String {
        var toProducts = EmissionFigures.zero
        for site in view.sites { toProducts += site.unallocated }
        var toTenants = EmissionFigures.zero
        for line in view.byProduct where line.mode == .measured { toTenants += line.unallocated ?? .zero }
        return """
            <section id="unallocated"><h2>Unallocated</h2>
            <table><tr><th>What</th><th>Total location</th><th>Total market</th><th>Energy kWh</th></tr>
            <tr><td>Site emissions allocated to no product</td><td class="n" id="unallocated-products">\(mass(toProducts.totalLocation))</td><td class="n">\(mass(toProducts.totalMarket))</td><td class="n">\(number(toProducts.energyKWh))</td></tr>
            <tr><td>Product emissions allocated to no tenant (unused capacity)</td><td class="n" id="unallocated-tenants">\(mass(toTenants.totalLocation))</td><td class="n">\(mass(toTenants.totalMarket))</td><td class="n">\(number(toTenants.energyKWh))</td></tr>
            </table></section>

            """
    }

    private static func tenantsSection(_ view: DashboardView) -> String {
        var html = "<section id=\"tenants\"><h2>Tenants</h2>\n"
        guard !view.tenants.isEmpty else { return html + "<p>No tenant results yet.</p></section>\n" }
        html += "<table><tr><th>Tenant</th><th>Mode</th><th>Total location</th><th>Total market</th></tr>\n"
        for line in view.tenants {
            let link = "/dashboard?tenant=\(query(line.name))&amp;from=\(view.from)&amp;to=\(view.to)"
            html += "<tr><td><a href=\"\(link)\">\(escape(line.name))</a></td><td>\(line.mode.rawValue)</td>"
            html += "<td class=\"n\">\(mass(line.figures.totalLocation))</td><td class=\"n\">\(mass(line.figures.totalMarket))</td></tr>\n"
        }
        return html + "</table></section>\n"
    }

    private static func intensitySection(_ view: DashboardView) -> String {
        var html = "<section id=\"intensity\"><h2>Intensity per business metric</h2>\n"
        guard !view.intensities.isEmpty else { return html + "<p>No business metrics uploaded for these months (POST /v1/business-metrics).</p></section>\n" }
        html += "<table><tr><th>Metric</th><th>CO2e (measured, location)</th><th>Value</th><th>CO2e per unit</th></tr>\n"
        for line in view.intensities {
            html += "<tr><td>\(escape(line.metric))</td><td class=\"n\">\(mass(line.emissions))</td>"
            html += "<td class=\"n\">\(number(line.value)) \(escape(line.unit))</td>"
            html += "<td class=\"n\">\(mass(line.intensity)) per \(escape(line.unit))</td></tr>\n"
        }
        return html + "</table><p class=\"note\">Σ kg ÷ Σ value over the months that have a value above 0.</p></section>\n"
    }

    private static func targetsSection(_ view: DashboardView) -> String {
        var html = "<section id=\"targets\"><h2>Reduction targets</h2>\n"
        guard !view.targets.isEmpty else { return html + "<p>No target set (POST /v1/targets).</p></section>\n" }
        html += "<table><tr><th>Tenant</th><th>Baseline</th><th>Target</th><th>Year</th><th>Emissions</th><th>Path</th><th>Progress</th><th></th></tr>\n"
        for line in view.targets {
            let p = line.progress
            html += "<tr><td>\(escape(line.tenant))</td><td>\(p.baselineYear): \(mass(p.baseline))</td>"
            html += "<td>\(p.targetYear): \(mass(p.targetEmissions)) (−\(String(format: "%g", p.reductionPercent)) %)</td>"
            html += "<td>\(p.year)</td><td class=\"n\">\(mass(p.emissions))</td><td class=\"n\">\(mass(p.pathEmissions))</td>"
            html += "<td>\(DashboardChart.progressBar(p.progressPercent))</td>"
            html += "<td class=\"\(p.onTrack ? "ok" : "over")\">\(p.onTrack ? "on track" : "off track")</td></tr>\n"
        }
        return html + "</table><p class=\"note\">Progress = share of the required reduction achieved; measured, location-based yearly totals.</p></section>\n"
    }

    private static func budgetsSection(_ view: DashboardView) -> String {
        var html = "<section id=\"budgets\"><h2>Budgets and alerts</h2>\n"
        if view.budgets.isEmpty {
            html += "<p>No budget set (POST /v1/budgets).</p>\n"
        } else {
            html += "<table><tr><th>Tenant</th><th>Month</th><th>Budget</th><th>Actual</th><th>Forecast (\(view.forecastMethod.rawValue))</th><th>Status</th></tr>\n"
            for line in view.budgets {
                let value = line.actual ?? line.forecast
                let over = value.map { $0 > line.budget } ?? false
                html += "<tr><td>\(escape(line.tenant))</td><td>\(line.month)</td><td class=\"n\">\(mass(line.budget))</td>"
                html += "<td class=\"n\">\(line.actual.map(mass) ?? "—")</td><td class=\"n\">\(line.forecast.map(mass) ?? "—")</td>"
                html += "<td class=\"\(over ? "over" : "ok")\">\(value == nil ? "no data" : over ? "over budget" : "within budget")</td></tr>\n"
            }
            html += "</table>\n"
        }
        if view.alerts.isEmpty {
            html += "<p id=\"alerts\">No alerts.</p>\n"
        } else {
            html += "<h3>Alerts</h3><table id=\"alerts\"><tr><th>Tenant</th><th>Month</th><th>Kind</th><th>Value</th><th>Budget</th></tr>\n"
            for alert in view.alerts {
                html += "<tr><td>\(escape(alert.tenant))</td><td>\(escape(alert.month))</td><td>\(escape(alert.kind))</td>"
                html += "<td class=\"n over\">\(mass(alert.value))</td><td class=\"n\">\(mass(alert.budget))</td></tr>\n"
            }
            html += "</table>\n"
        }
        return html + "</section>\n"
    }

    /// What the figures rest on: per result mode the shares of the window's location-based
    /// total resting on measured, filled (interpolated), flagged (outlier, kept) and estimated
    /// data, then the same per product, and per site in the provider view. The shares are the
    /// ones `/v1/emissions` answers for the same rows (summed quality parts over summed total).
    private static func qualitySection(_ view: DashboardView) -> String {
        var html = "<section id=\"quality\"><h2>Data quality</h2>\n"
        let modes = [ResultMode.measured, .estimated].filter { view.quality[$0] != nil }
        guard !modes.isEmpty else { return html + "<p id=\"quality-none\">No results for these months yet.</p></section>\n" }
        html += DashboardChart.qualityLegend()
        html += "<table id=\"quality-shares\">" + qualityHeader("Results") + "\n"
        for mode in modes {
            let shares = view.quality[mode] ?? .zero
            let kg = view.totals[mode]?.totalLocation ?? 0
            html += "<tr id=\"quality-\(mode.rawValue)\"><td>\(mode == .measured ? "Measured results" : "Estimated results (CCF estimation mode)")</td>"
            html += "<td class=\"n\">\(mass(kg))</td>" + qualityCells(shares, id: "quality-\(mode.rawValue)") + "</tr>\n"
        }
        html += "</table>\n"
        let products = view.byProduct.filter { $0.quality != nil }
        if !products.isEmpty {
            html += "<h3>By product</h3><table id=\"quality-by-product\">" + qualityHeader("Product", modeColumn: true) + "\n"
            for line in products {
                html += "<tr data-product=\"\(escape(line.name))\" data-mode=\"\(line.mode.rawValue)\"><td>\(escape(line.name))</td><td>\(line.mode.rawValue)</td>"
                html += "<td class=\"n\">\(mass(line.figures.totalLocation))</td>" + qualityCells(line.quality ?? .zero, id: nil) + "</tr>\n"
            }
            html += "</table>\n"
        }
        if view.subject == .provider, !view.sites.isEmpty {
            html += "<h3>By site</h3><table id=\"quality-by-site\">" + qualityHeader("Site") + "\n"
            for site in view.sites {
                html += "<tr data-site=\"\(escape(site.site))\"><td>\(escape(site.site))</td>"
                html += "<td class=\"n\">\(mass(site.figures.totalLocation))</td>" + qualityCells(site.quality, id: nil) + "</tr>\n"
            }
            html += "</table>\n"
        }
        html += """
            <p class="note">Shares of the location-based total (CO<sub>2</sub>e). Filled: grid-electricity hours missing from a site's
            meter series, interpolated linearly; flagged: readings kept but flagged as outliers (Hampel window, robust z-score);
            estimated: results of the CCF estimation mode; profiled: grid electricity read over many hours and spread over them by the
            site's load profile; measured: the rest.</p>

            """
        return html + "</section>\n"
    }

    private static func qualityHeader(_ name: String, modeColumn: Bool = false) -> String {
        "<tr><th>\(name)</th>\(modeColumn ? "<th>Mode</th>" : "")<th>CO2e (location)</th><th>Measured</th><th>Filled</th><th>Flagged</th><th>Estimated</th><th>Profiled</th><th></th></tr>"
    }

    /// The five shares as percentages (like the inventory report's), then the bar. With `id`,
    /// each cell has the id `<id>-<part>`; every cell has `data-part`.
    private static func qualityCells(_ q: QualityShares, id: String?) -> String {
        var html = ""
        for (part, value) in zip(["measured", "filled", "flagged", "estimated", "profiled"], [q.measured, q.filled, q.flagged, q.estimated, q.profiled]) {
            html += "<td class=\"n\"\(id.map { " id=\"\($0)-\(part)\"" } ?? "") data-part=\"\(part)\">\(InventoryHTML.percent(value))</td>"
        }
        return html + "<td>\(DashboardChart.qualityBar(q))</td>"
    }

    // MARK: Formatting

    /// Emissions as people read them (``FigureFormat``): "722.7 t", "56.25 kg", "62.4 g".
    static func mass(_ kg: Double) -> String { FigureFormat.emissions(kg: kg) }

    /// A quantity in its own unit (kWh, usage), grouped, never scientific.
    static func number(_ value: Double) -> String { FigureFormat.number(value) }

    private static func change(_ value: Double?, _ percent: Double?) -> String {
        guard let value else { return "—" }
        return FigureFormat.change(kg: value) + (percent.map { String(format: " (%+.1f %%)", $0) } ?? "")
    }

    /// For a query string value: everything but unreserved characters percent-encoded.
    static func query(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? ""
    }

    static func escape(_ text: String) -> String { InventoryHTML.escape(text) }
}
