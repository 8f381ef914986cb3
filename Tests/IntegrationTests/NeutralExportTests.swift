import Foundation
import Testing

/// Strings from tenants (a usage record's region) and from the provider
/// (product and site names) reach every CSV the reporter writes neutralized — a leading `'` and
/// quotes — so a spreadsheet opening an export runs no formula; numbers stay numbers.
@Suite(.serialized) struct NeutralExportTests {
    static let hostileRegion = "=cmd|' /C calc'!A0"
    static let hostileProduct = "@SUM(1+1)*cmd|' /C calc'!A0"
    static let hostileSite = "+s9"

    /// Characters that make a spreadsheet read a cell as a formula.
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    static func ndjson(_ objects: [[String: Any]]) throws -> String {
        try objects.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
            .joined(separator: "\n")
    }

    @Test func tenantAndProviderStringsAreNeutralizedInEmissionsAndReportCSVs() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()
        // The provider declares a site and a product with formula-like names.
        try await suite.postExpectingAccepted(
            "/v1/sites", try Self.ndjson([["site": Self.hostileSite, "region": "r1", "grid": "G1"]]), "application/x-ndjson", accepted: 1)
        try await suite.postExpectingAccepted(
            "/v1/products", try Self.ndjson([["product": Self.hostileProduct, "unit": "vCPU-h"], ["product": "ec2", "unit": "vCPU-h"]]),
            "application/x-ndjson", accepted: 2)
        let month = ["start": "2024-01-01T00:00:00Z", "end": "2024-02-01T00:00:00Z"]
        let site: [String: Any] = ["source": "meter", "id": "s9-grid", "kind": "facility.electricity", "site": Self.hostileSite, "value": 100, "unit": "kWh"]
        try await suite.postExpectingAccepted("/v1/activity", try Self.ndjson([site.merging(month) { a, _ in a }]), "application/x-ndjson", accepted: 1)
        // A tenant's estimated usage names a formula as its region, and uses the hostile product.
        let cloud: [String: Any] = ["kind": "usage", "tenant": "A", "provider": "aws", "resource_type": "compute", "value": 720, "unit": "vCPU-h"]
        let usage: [[String: Any]] = [
            cloud.merging(["source": "billing", "id": "x-region", "product": "ec2", "region": Self.hostileRegion]) { a, _ in a },
            cloud.merging(["source": "billing", "id": "x-product", "product": Self.hostileProduct, "region": "us-east-1"]) { a, _ in a },
        ].map { $0.merging(month) { a, _ in a } }
        try await suite.postExpectingAccepted("/v1/activity", try Self.ndjson(usage), "application/x-ndjson", accepted: 2)
        try await suite.waitDrained()

        let exports = [
            "/v1/emissions?layer=tenant&format=csv",
            "/v1/emissions?layer=tenant&group_by=tenant,product,region,month&format=csv",
            "/v1/emissions?layer=site&format=csv",
            "/v1/reports?period=2024-01&tenant=A&format=csv",
            "/v1/reports?period=2024-01&format=csv",
        ]
        var seen: Set<String> = []
        for path in exports {
            let (status, data) = try await suite.get(.reporter, path)
            let csv = String(decoding: data, as: UTF8.self)
            #expect(status == 200, "\(path): \(status) \(csv)")
            for (number, line) in Self.parse(csv).enumerated() {
                for cell in line {
                    if cell.hasPrefix("'") { seen.insert(String(cell.dropFirst())) }
                    // A cell may start like a formula only when it is a number the suite wrote.
                    guard let first = cell.first, Self.formulaStarts.contains(first) else { continue }
                    #expect(Double(cell) != nil, "\(path) line \(number + 1): cell \(cell) would run as a formula")
                }
            }
        }
        #expect(seen == [Self.hostileRegion, Self.hostileProduct, Self.hostileSite], "neutralized cells: \(seen)")
        // The exact OWASP form: prefixed with ' and quoted.
        let (_, tenantCSV) = try await suite.get(.reporter, "/v1/emissions?layer=tenant&format=csv")
        #expect(String(decoding: tenantCSV, as: UTF8.self).contains(",\"'=cmd|' /C calc'!A0\","))
        await suite.stopAll()
    }

    /// A tenant's tag values reach the report's tag split (CSV and HTML) and `carbonctl tags`
    /// as text: a formula neutralized in every CSV, markup escaped in the HTML.
    @Test func hostileTagValuesAreNeutralizedInReportsAndCarbonctl() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()
        let markup = "<script>alert(1)</script>"
        let usage: [String: Any] = [
            "source": "billing", "id": "tagged", "kind": "usage", "tenant": "A", "product": "ecs", "region": "r1", "value": 10,
            "unit": "vCPU-h", "start": "2024-01-03T00:00:00Z", "end": "2024-01-04T00:00:00Z",
            "tags": ["project": Self.hostileRegion, "team": markup],
        ]
        try await suite.postExpectingAccepted("/v1/activity", try Self.ndjson([usage]), "application/x-ndjson", accepted: 1)
        try await suite.waitDrained()

        let (_, reportCSV) = try await suite.get(.reporter, "/v1/reports?period=2024-01&tenant=A&format=csv")
        let csv = String(decoding: reportCSV, as: UTF8.self)
        #expect(csv.contains(",tag:project,measured,\"'=cmd|' /C calc'!A0\","), "\(csv)")
        let ctl = try suite.carbonctl(["tags", "--tenant", "A", "--key", "project", "--format", "csv"])
        #expect(ctl.status == 0 && ctl.stdout.contains("\"'=cmd|' /C calc'!A0\","), "\(ctl.stdout) \(ctl.stderr)")
        for (source, text) in [("report CSV", csv), ("carbonctl tags CSV", ctl.stdout)] {
            for line in Self.parse(text) {
                for cell in line {
                    guard let first = cell.first, Self.formulaStarts.contains(first) else { continue }
                    #expect(Double(cell) != nil, "\(source): cell \(cell) would run as a formula")
                }
            }
        }
        let (_, reportHTML) = try await suite.get(.reporter, "/v1/reports?period=2024-01&tenant=A&format=html")
        let html = String(decoding: reportHTML, as: UTF8.self)
        #expect(!html.contains(markup) && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the tag value is not escaped in the HTML report")
        await suite.stopAll()
    }

    /// RFC 4180 rows: quoted fields, doubled quotes, line breaks inside quotes.
    static func parse(_ csv: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false, afterQuote = false
        for character in csv {
            if quoted {
                if character == "\"" { quoted = false; afterQuote = true } else { field.append(character) }
                continue
            }
            switch character {
            case "\"":
                if afterQuote { field.append("\"") }
                quoted = true
            case ",": row.append(field); field = ""
            case "\n": row.append(field); field = ""; rows.append(row); row = []
            default: field.append(character)
            }
            afterQuote = false
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
