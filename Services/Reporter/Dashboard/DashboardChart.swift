import CarbonModel
import Foundation

/// The dashboard's inline SVG charts: stacked monthly columns, horizontal bars, progress
/// bars and data-quality bars. Pure string building from plain values; heights are proportional to the largest value.
enum DashboardChart {
    static let scopeColours = ["#8c564b", "#1f77b4", "#2ca02c"]

    /// Stacked columns per month: scope 1, scope 2 location-based, scope 3 (their sum is the
    /// location-based total), with the month under each column and the largest total on the axis.
    /// With `reference` (a month's share of a reduction target's path, per column), a dashed
    /// line marks it over the columns.
    static func monthlyColumns(_ months: [(label: String, figures: EmissionFigures)], reference: [Double]? = nil) -> String {
        guard !months.isEmpty else { return "" }
        let width = 720.0, height = 240.0, left = 70.0, bottom = 34.0, topMargin = 12.0
        let peak = (months.map { max(0, $0.figures.totalLocation) } + (reference ?? [])).max() ?? 0
        let scale = peak > 0 ? (height - bottom - topMargin) / peak : 0
        let slot = (width - left) / Double(months.count)
        var svg = """
            <svg id="trend-chart" xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="Monthly emissions by scope, location-based">
            <line x1="\(fixed(left))" y1="\(fixed(topMargin))" x2="\(fixed(left))" y2="\(fixed(height - bottom))" stroke="#888"/>
            <line x1="\(fixed(left))" y1="\(fixed(height - bottom))" x2="\(fixed(width))" y2="\(fixed(height - bottom))" stroke="#888"/>
            <text x="\(fixed(left - 4))" y="\(fixed(topMargin + 4))" font-size="10" text-anchor="end">\(DashboardHTML.mass(peak))</text>
            <text x="\(fixed(left - 4))" y="\(fixed(height - bottom))" font-size="10" text-anchor="end">0</text>

            """
        for (i, month) in months.enumerated() {
            let x = left + Double(i) * slot + slot * 0.15
            var y = height - bottom
            let parts = [month.figures.scope1, month.figures.scope2Location, month.figures.scope3]
            for (j, value) in parts.enumerated() {
                let h = max(0, value) * scale
                y -= h
                svg += "<rect class=\"bar\" x=\"\(fixed(x))\" y=\"\(fixed(y))\" width=\"\(fixed(slot * 0.7))\" height=\"\(fixed(h))\" fill=\"\(scopeColours[j])\">"
                svg += "<title>\(DashboardHTML.escape(month.label)) \(["scope 1", "scope 2 location", "scope 3"][j]): \(DashboardHTML.mass(value))</title></rect>\n"
            }
            // Every label when they fit; otherwise every few months.
            let every = max(1, Int((60.0 / slot).rounded(.up)))
            if i % every == 0 {
                svg += "<text x=\"\(fixed(x))\" y=\"\(fixed(height - bottom + 14))\" font-size=\"10\">\(DashboardHTML.escape(month.label))</text>\n"
            }
        }
        if let reference, reference.count == months.count {
            for (i, value) in reference.enumerated() {
                let y = height - bottom - max(0, value) * scale
                let x = left + Double(i) * slot
                svg += "<line class=\"target-path\" x1=\"\(fixed(x))\" y1=\"\(fixed(y))\" x2=\"\(fixed(x + slot))\" y2=\"\(fixed(y))\" "
                svg += "stroke=\"#b00020\" stroke-width=\"2\" stroke-dasharray=\"5,3\"><title>\(DashboardHTML.escape(months[i].label)) target path: \(DashboardHTML.mass(value))</title></line>\n"
            }
        }
        let legendY = height - 6
        for (j, name) in ["scope 1", "scope 2 (location)", "scope 3"].enumerated() {
            let x = left + Double(j) * 130
            svg += "<rect x=\"\(fixed(x))\" y=\"\(fixed(legendY - 9))\" width=\"10\" height=\"10\" fill=\"\(scopeColours[j])\"/>"
            svg += "<text x=\"\(fixed(x + 14))\" y=\"\(fixed(legendY))\" font-size=\"10\">\(name)</text>\n"
        }
        if reference != nil {
            let x = left + 3 * 130
            svg += "<line x1=\"\(fixed(x))\" y1=\"\(fixed(legendY - 4))\" x2=\"\(fixed(x + 12))\" y2=\"\(fixed(legendY - 4))\" stroke=\"#b00020\" stroke-width=\"2\" stroke-dasharray=\"5,3\"/>"
            svg += "<text x=\"\(fixed(x + 16))\" y=\"\(fixed(legendY))\" font-size=\"10\">target path (a twelfth of the year's)</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// 24 columns, one per UTC hour of the day, proportional to the largest, each with its
    /// figure in a `<title>`.
    static func hourlyColumns(_ hours: [Double]) -> String {
        guard hours.count == 24 else { return "" }
        let width = 720.0, height = 160.0, left = 70.0, bottom = 20.0, topMargin = 10.0
        let peak = hours.map { max(0, $0) }.max() ?? 0
        let scale = peak > 0 ? (height - bottom - topMargin) / peak : 0
        let slot = (width - left) / 24
        var svg = """
            <svg id="hourly-chart" xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="Average emissions by hour of the day, location-based">
            <line x1="\(fixed(left))" y1="\(fixed(height - bottom))" x2="\(fixed(width))" y2="\(fixed(height - bottom))" stroke="#888"/>
            <text x="\(fixed(left - 4))" y="\(fixed(topMargin + 4))" font-size="10" text-anchor="end">\(DashboardHTML.mass(peak))</text>

            """
        for (hour, value) in hours.enumerated() {
            let h = max(0, value) * scale
            let x = left + Double(hour) * slot + slot * 0.15
            svg += "<rect class=\"hour\" x=\"\(fixed(x))\" y=\"\(fixed(height - bottom - h))\" width=\"\(fixed(slot * 0.7))\" height=\"\(fixed(h))\" fill=\"\(scopeColours[1])\">"
            svg += "<title>\(String(format: "%02d", hour)):00 UTC: \(DashboardHTML.mass(value))</title></rect>\n"
            if hour % 3 == 0 { svg += "<text x=\"\(fixed(x))\" y=\"\(fixed(height - 6))\" font-size=\"10\">\(String(format: "%02d", hour))h</text>\n" }
        }
        return svg + "</svg>\n"
    }

    /// Days × hours, each cell shaded by the hour's carbon-free share (white 0 %, dark green
    /// 100 %; hatched grey where the hour had no energy), with the share in a `<title>`.
    static func cfeHeatMap(_ map: DashboardView.CFEHeatMap) -> String {
        let cell = 14.0, left = 44.0, top = 16.0
        let width = left + cell * 24 + 4, height = top + cell * Double(map.shares.count) + 4
        var svg = """
            <svg id="cfe-heatmap" xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="Carbon-free share of energy by day and UTC hour">

            """
        for hour in stride(from: 0, to: 24, by: 3) {
            svg += "<text x=\"\(fixed(left + Double(hour) * cell))\" y=\"\(fixed(top - 4))\" font-size=\"9\">\(String(format: "%02d", hour))h</text>\n"
        }
        for (day, hours) in map.shares.enumerated() {
            let y = top + Double(day) * cell
            if day % 5 == 0 { svg += "<text x=\"0\" y=\"\(fixed(y + cell - 3))\" font-size=\"9\">\(map.month)-\(String(format: "%02d", day + 1))</text>\n" }
            for (hour, share) in hours.enumerated() {
                let x = left + Double(hour) * cell
                let label = "\(map.month)-\(String(format: "%02d", day + 1)) \(String(format: "%02d", hour)):00 UTC"
                if let share {
                    // Linear from white to #1b5e20 (dark green).
                    let t = min(1, max(0, share))
                    let colour = String(
                        format: "#%02x%02x%02x", Int(255 - (255 - 0x1b) * t), Int(255 - (255 - 0x5e) * t), Int(255 - (255 - 0x20) * t))
                    svg += "<rect class=\"cfe-hour\" x=\"\(fixed(x))\" y=\"\(fixed(y))\" width=\"\(fixed(cell - 1))\" height=\"\(fixed(cell - 1))\" fill=\"\(colour)\" stroke=\"#ccc\" stroke-width=\"0.5\">"
                    svg += "<title>\(label): \(DashboardHTML.number(share * 100)) % carbon-free</title></rect>\n"
                } else {
                    svg += "<rect class=\"cfe-none\" x=\"\(fixed(x))\" y=\"\(fixed(y))\" width=\"\(fixed(cell - 1))\" height=\"\(fixed(cell - 1))\" fill=\"#eee\"><title>\(label): no energy</title></rect>\n"
                }
            }
        }
        return svg + "</svg>\n"
    }

    /// Horizontal bars, one per line, proportional to the largest value.
    static func bars(_ lines: [(name: String, value: Double)]) -> String {
        guard !lines.isEmpty else { return "" }
        let width = 600.0, label = 160.0, row = 18.0
        let peak = max(lines.map { max(0, $0.value) }.max() ?? 0, 0)
        let chartHeight = Int(row * Double(lines.count) + 4)
        var svg = "<svg class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(chartHeight)\" viewBox=\"0 0 \(Int(width)) \(chartHeight)\" role=\"img\" aria-label=\"Location-based totals\">\n"
        for (i, line) in lines.enumerated() {
            let y = Double(i) * row + 2
            let w = peak > 0 ? max(0, line.value) / peak * (width - label - 90) : 0
            svg += "<text x=\"0\" y=\"\(fixed(y + 12))\" font-size=\"11\">\(DashboardHTML.escape(line.name))</text>"
            svg += "<rect x=\"\(fixed(label))\" y=\"\(fixed(y))\" width=\"\(fixed(w))\" height=\"\(fixed(row - 4))\" fill=\"#1f77b4\"/>"
            svg += "<text x=\"\(fixed(label + w + 4))\" y=\"\(fixed(y + 12))\" font-size=\"10\">\(DashboardHTML.mass(line.value))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// A bar filled to `percent` (clamped to 0…100 for the drawing; the text keeps the value).
    static func progressBar(_ percent: Double?) -> String {
        guard let percent else { return "—" }
        let filled = min(100, max(0, percent)) * 1.2
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="170" height="14" role="img" aria-label="progress"><rect x="0" y="1" width="120" height="12" fill="#e3e8e3" stroke="#aaa"/><rect x="0" y="1" width="\(fixed(filled))" height="12" fill="#2ca02c"/><text x="124" y="11" font-size="10">\(String(format: "%.1f", percent)) %</text></svg>
            """
    }

    /// The kinds of data a figure rests on, in the order the quality bar stacks them, with colours.
    static let qualityParts: [(name: String, colour: String)] = [
        ("measured", "#2ca02c"), ("filled", "#ff7f0e"), ("flagged", "#d62728"), ("estimated", "#9467bd"), ("profiled", "#1f77b4"),
    ]

    /// One bar 120 px wide split into the measured, filled, flagged, estimated and profiled shares (each
    /// clamped to 0…1 for the drawing); all shares 0 (a zero total) leaves the bar empty.
    static func qualityBar(_ shares: QualityShares) -> String {
        let width = 120.0
        let values = [shares.measured, shares.filled, shares.flagged, shares.estimated, shares.profiled]
        var svg = "<svg class=\"quality-bar\" xmlns=\"http://www.w3.org/2000/svg\" width=\"122\" height=\"14\" role=\"img\" aria-label=\"data quality\">"
        svg += "<rect x=\"0\" y=\"1\" width=\"\(fixed(width))\" height=\"12\" fill=\"#e3e8e3\" stroke=\"#aaa\"/>"
        var x = 0.0
        for (part, value) in zip(qualityParts, values) {
            let w = min(1, max(0, value)) * width
            guard w > 0 else { continue }
            svg += "<rect class=\"q-\(part.name)\" x=\"\(fixed(x))\" y=\"1\" width=\"\(fixed(w))\" height=\"12\" fill=\"\(part.colour)\">"
            svg += "<title>\(part.name): \(String(format: "%.2f", value * 100)) %</title></rect>"
            x += w
        }
        return svg + "</svg>"
    }

    /// The colour key of the quality bars.
    static func qualityLegend() -> String {
        var svg = "<svg class=\"quality-legend\" xmlns=\"http://www.w3.org/2000/svg\" width=\"500\" height=\"14\" viewBox=\"0 0 500 14\" role=\"img\" aria-label=\"colour key\">"
        for (i, part) in qualityParts.enumerated() {
            let x = Double(i) * 100
            svg += "<rect x=\"\(fixed(x))\" y=\"2\" width=\"10\" height=\"10\" fill=\"\(part.colour)\"/>"
            svg += "<text x=\"\(fixed(x + 14))\" y=\"11\" font-size=\"10\">\(part.name)</text>"
        }
        return svg + "</svg>\n"
    }

    private static func fixed(_ value: Double) -> String { String(format: "%.2f", value) }
}
