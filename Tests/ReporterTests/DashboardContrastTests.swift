import Foundation
import Testing

@testable import Reporter

/// The dashboard's text colours against their backgrounds pass WCAG 2.1 AA (4.5:1 for text, 3:1
/// for the focus outline), computed as WCAG defines contrast; each colour must still be in the
/// page's style sheet, so a changed colour fails here until its pair is checked again.
@Suite struct DashboardContrastTests {
    /// WCAG relative luminance of `#rrggbb` or `#rgb`.
    static func luminance(_ hex: String) -> Double {
        var digits = String(hex.dropFirst())
        if digits.count == 3 { digits = digits.map { "\($0)\($0)" }.joined() }
        let value = Int(digits, radix: 16) ?? 0
        let channels = [(value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF].map { Double($0) / 255 }
        let linear = channels.map { $0 <= 0.03928 ? $0 / 12.92 : pow(($0 + 0.055) / 1.055, 2.4) }
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    }

    static func contrast(_ a: String, _ b: String) -> Double {
        let (x, y) = (luminance(a), luminance(b))
        return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }

    @Test(arguments: [
        ("#222", "#fff", 4.5, "body text"), ("#222", "#eef2ee", 4.5, "table headers"), ("#555", "#fff", 4.5, "notes and card labels"),
        ("#555", "#f4f6f4", 4.5, "notes on the page background"), ("#fff", "#1e4d2b", 4.5, "the header"),
        ("#1e6b35", "#fff", 4.5, "on track, within budget"), ("#b00020", "#fff", 4.5, "over budget, errors"),
        ("#1e4d2b", "#fff", 3.0, "the focus outline"),
    ])
    func textColoursPassAA(foreground: String, background: String, minimum: Double, what: String) {
        #expect(Self.contrast(foreground, background) >= minimum, "\(what): \(foreground) on \(background)")
        for colour in [foreground, background] where colour != "#fff" {
            #expect(DashboardHTML.style.contains(colour), "\(colour) (\(what)) is no longer in the style sheet: check its pair again")
        }
    }

    @Test func theCheckCanFail() {
        #expect(Self.contrast("#777", "#fff") < 4.5)  // a grey that looks fine and is not
        #expect(abs(Self.contrast("#000", "#fff") - 21) < 0.01)
    }
}
