import CarbonModel
import Foundation

/// Renders an `InventoryReport` as one self-contained, printable HTML page: inline CSS and
/// SVG charts, no scripts, fonts or images from elsewhere, and no generation time, so the same
/// request gives the same bytes.
enum InventoryHTML {
    static func render(_ report: InventoryReport) -> Data {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>GHG inventory \(escape(report.period.description)) — \(escape(report.subject.label))</title>
            <style>
            body{font-family:Helvetica,Arial,sans-serif;color:#222;margin:2em;max-width:60em}
            h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #999;margin-top:1.6em}h3{font-size:1em}
            table{border-collapse:collapse;margin:.5em 0;font-size:.85em}
            th,td{border:1px solid #bbb;padding:.2em .5em}td.n{text-align:right;font-variant-numeric:tabular-nums}
            th{background:#eee}.note{font-size:.85em;color:#444}
            @media print{body{margin:0;max-width:none}h2{page-break-after:avoid}table,svg{page-break-inside:avoid}}
            </style>
            </head>
            <body>
            <h1>Greenhouse gas inventory — \(escape(report.subject.label))</h1>
            <p>Reporting period: <strong>\(escape(report.period.description))</strong> (\(report.period.first) to \(report.period.last)).
            Prepared following the GHG Protocol Corporate Standard (scope 2 dual reporting) with an ISO 14064-1:2018 category view.
            Emissions in tonnes (t), kilograms (kg) or grams (g) of CO<sub>2</sub>e, whichever keeps the figure readable (the JSON and
            CSV forms of this report keep every digit, in kg); energy in kWh.</p>

            """
        if report.sections.isEmpty {
            html += "<p>No emissions are recorded for this period.</p>\n"
        }
        for section in report.sections {
            html += "<h2>\(section.mode == .measured ? "Measured" : "Estimated") emissions</h2>\n"
            html += "<h3>Inventory by scope</h3>\n"
            html += scopeTable(section)
            html += "<h3>Monthly trend</h3>\n"
            html += monthlyChart(section.byMonth)
            html += linesTable("Month", section.byMonth)
            html += "<h3>By product</h3>\n"
            html += barChart(section.byProduct)
            html += linesTable("Product", section.byProduct)
            html += "<h3>By region</h3>\n"
            html += linesTable("Region", section.byRegion)
            for tag in section.byTag {
                html += "<h3>By tag: \(escape(tag.key))</h3>\n"
                html += linesTable(escape(tag.key), tag.lines)
            }
            html += "<h3>Data quality</h3>\n"
            html += qualityTable(section)
            html += "<h3>ISO 14064-1 categories</h3>\n"
            html += "<table><tr><th>Category</th><th>Description</th><th>Location-based</th><th>Market-based</th></tr>\n"
            for category in report.isoCategories(section) {
                html += "<tr><td>\(escape(category.category))</td><td>\(escape(category.description))</td><td class=\"n\">\(mass(category.location))</td><td class=\"n\">\(mass(category.market))</td></tr>\n"
            }
            html += "</table>\n"
        }
        html += "<h2>Emission factors used</h2>\n"
        if report.factors.isEmpty {
            html += "<p>No factors recorded for this period.</p>\n"
        } else {
            html += "<table><tr><th>Factor</th><th>Activity</th><th>Version</th><th>Value</th><th>Unit</th><th>Source</th><th>Regions</th><th>Months</th></tr>\n"
            for f in report.factors {
                html += "<tr><td>\(escape(f.factor))</td><td>\(escape(f.activity ?? ""))</td><td>\(escape(f.version))</td><td class=\"n\">\(String(format: "%.6g", f.value))</td>"
                html += "<td>\(escape(f.unit ?? ""))</td><td>\(escape(f.source ?? ""))</td><td>\(escape(f.regions.joined(separator: ", ")))</td>"
                html += "<td>\(escape(f.firstMonth))\(f.firstMonth == f.lastMonth ? "" : " to " + escape(f.lastMonth))</td></tr>\n"
            }
            html += "</table>\n"
        }
        html += "<h2>Methodology</h2>\n<ul class=\"note\">\n"
        for note in InventoryReport.methodology { html += "<li>\(escape(note))</li>\n" }
        html += "</ul>\n</body>\n</html>\n"
        return Data(html.utf8)
    }

    private static func scopeTable(_ section: InventoryReport.Section) -> String {
        let f = section.totals
        var html = "<table><tr><th>Scope</th><th>Location-based</th><th>Market-based (monthly matching)</th><th>Market-based (hourly matching)</th></tr>\n"
        let rows: [(String, Double, Double, Double)] = [
            ("Scope 1 — direct (fuel, refrigerants)", f.scope1, f.scope1, f.scope1),
            ("Scope 2 — purchased electricity", f.scope2Location, f.scope2Market, f.scope2MarketHourly),
            ("Scope 3 — embodied hardware", f.scope3, f.scope3, f.scope3),
            ("Total", f.totalLocation, f.totalMarket, f.totalMarketHourly),
        ]
        for (name, location, market, hourly) in rows {
            html += "<tr><td>\(escape(name))</td><td class=\"n\">\(mass(location))</td><td class=\"n\">\(mass(market))</td><td class=\"n\">\(mass(hourly))</td></tr>\n"
        }
        html += "<tr><td>Energy (kWh)</td><td class=\"n\" colspan=\"3\">\(number(f.energyKWh))</td></tr>\n"
        html += "<tr><td>of which carbon-free (kWh, share)</td><td class=\"n\" colspan=\"3\">\(number(f.cfeKWh)) (\(number(f.cfeShare * 100)) %)</td></tr>\n"
        html += "<tr><td>Water consumed (L, withdrawn − discharged)</td><td class=\"n\" colspan=\"3\">\(number(f.waterL))</td></tr>\n"
        if let unallocated = section.unallocated {
            html += "<tr><td>of which not allocated to a product</td><td class=\"n\">\(mass(unallocated.totalLocation))</td><td class=\"n\">\(mass(unallocated.totalMarket))</td><td class=\"n\">\(mass(unallocated.totalMarketHourly))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// The shares of the location-based totals resting on measured, filled (interpolated),
    /// flagged (outlier, kept), estimated and profiled data: the section's total, then month by month.
    private static func qualityTable(_ section: InventoryReport.Section) -> String {
        var html = "<table><tr><th></th><th>Measured</th><th>Filled</th><th>Flagged</th><th>Estimated</th><th>Profiled</th></tr>\n"
        func row(_ name: String, _ q: QualityShares) {
            html += "<tr><td>\(escape(name))</td>"
            for value in [q.measured, q.filled, q.flagged, q.estimated, q.profiled] { html += "<td class=\"n\">\(percent(value))</td>" }
            html += "</tr>\n"
        }
        row("Total", section.quality)
        for line in section.byMonth { row(line.key, line.quality ?? .zero) }
        html += "</table>\n<p class=\"note\">Shares of the location-based total (CO<sub>2</sub>e). Filled: grid-electricity hours missing from the meter series and interpolated linearly; flagged: readings kept but flagged as outliers (Hampel window, robust z-score); profiled: grid electricity read over many hours and spread over them by the site's load profile.</p>\n"
        return html
    }

    static func percent(_ value: Double) -> String { String(format: "%.2f %%", value * 100) }

    private static func linesTable(_ name: String, _ lines: [InventoryReport.Line]) -> String {
        var html = "<table><tr><th>\(name)</th><th>Scope 1</th><th>Scope 2 location</th><th>Scope 2 market</th><th>Scope 3</th>"
        html += "<th>Total location</th><th>Total market</th><th>Energy kWh</th></tr>\n"
        for line in lines {
            let f = line.figures
            html += "<tr><td>\(escape(line.key))</td>"
            for value in [f.scope1, f.scope2Location, f.scope2Market, f.scope3, f.totalLocation, f.totalMarket] {
                html += "<td class=\"n\">\(mass(value))</td>"
            }
            html += "<td class=\"n\">\(number(f.energyKWh))</td>"
            html += "</tr>\n"
        }
        return html + "</table>\n"
    }

    /// Stacked columns per month: scope 1, scope 2 (location-based), scope 3.
    private static func monthlyChart(_ lines: [InventoryReport.Line]) -> String {
        guard !lines.isEmpty else { return "" }
        let width = 600.0, height = 200.0, left = 10.0, bottom = 20.0
        let top = max(lines.map { $0.figures.totalLocation }.max() ?? 0, 1e-12)
        let slot = (width - left) / Double(lines.count)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"Monthly emissions by scope (location-based)\">\n"
        let colours = ["#8c564b", "#1f77b4", "#2ca02c"]
        for (i, line) in lines.enumerated() {
            var y = height - bottom
            let x = left + Double(i) * slot + slot * 0.15
            for (j, value) in [line.figures.scope1, line.figures.scope2Location, line.figures.scope3].enumerated() {
                let h = max(0, value) / top * (height - bottom - 10)
                y -= h
                svg += "<rect x=\"\(fixed(x))\" y=\"\(fixed(y))\" width=\"\(fixed(slot * 0.7))\" height=\"\(fixed(h))\" fill=\"\(colours[j])\"/>\n"
            }
            svg += "<text x=\"\(fixed(x))\" y=\"\(fixed(height - 5))\" font-size=\"10\">\(escape(line.key))</text>\n"
        }
        svg += "</svg>\n<p class=\"note\">Columns: scope 1 (brown), scope 2 location-based (blue), scope 3 (green).</p>\n"
        return svg
    }

    /// Horizontal bars of the location-based total per line.
    private static func barChart(_ lines: [InventoryReport.Line]) -> String {
        guard !lines.isEmpty else { return "" }
        let width = 600.0, label = 200.0, row = 18.0
        let top = max(lines.map { $0.figures.totalLocation }.max() ?? 0, 1e-12)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(row * Double(lines.count) + 4))\" role=\"img\" aria-label=\"Total location-based emissions\">\n"
        for (i, line) in lines.enumerated() {
            let y = Double(i) * row + 2
            let w = max(0, line.figures.totalLocation) / top * (width - label - 10)
            svg += "<text x=\"0\" y=\"\(fixed(y + 12))\" font-size=\"11\">\(escape(line.key))</text>"
            svg += "<rect x=\"\(fixed(label))\" y=\"\(fixed(y))\" width=\"\(fixed(w))\" height=\"\(fixed(row - 4))\" fill=\"#1f77b4\"/>\n"
        }
        return svg + "</svg>\n"
    }

    /// Emissions as people read them (``FigureFormat``), as the dashboard writes them.
    static func mass(_ kg: Double) -> String { FigureFormat.emissions(kg: kg) }

    /// A quantity in its own unit (kWh), grouped, never scientific.
    static func number(_ value: Double) -> String { FigureFormat.number(value) }
    private static func fixed(_ value: Double) -> String { String(format: "%.2f", value) }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
