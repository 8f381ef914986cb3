import Foundation
import Testing

/// Data quality through the real services: a site's hourly grid meter with a two-hour gap and
/// a spike. The calculator fills the gap and flags the spike (kept); the reporter returns the
/// shares of every layer in `/v1/emissions` (JSON and CSV) and in the inventory report.
@Suite(.serialized) struct DataQualityPipelineTests {
    static let sites = #"[{"site":"q1","region":"rq","grid":"GQ"}]"#
    static let products = #"[{"product":"vm","unit":"vCPU-h","basis":"usage"}]"#
    static let factors = """
        {"factor":"grid.GQ","activity":"electricity","region":"GQ","value":0.5,"unit":"kgCO2e/kWh","valid_from":"2024-01-01","valid_to":"2025-01-01","source":"test","version":"1"}
        """

    /// Hourly readings of 2024-03-01, hours 0–10: 10 kWh each, none at 02:00 and 03:00, 100 kWh
    /// at 08:00. Plus the product's IT energy and one tenant's use.
    static var records: String {
        var lines: [String] = []
        for hour in [0, 1, 4, 5, 6, 7, 8, 9, 10] {
            let start = String(format: "2024-03-01T%02d:00:00Z", hour)
            let end = String(format: "2024-03-01T%02d:00:00Z", hour + 1)
            lines.append(
                #"{"source":"meter","id":"q1-\#(hour)","kind":"facility.electricity","site":"q1","start":"\#(start)","end":"\#(end)","value":\#(hour == 8 ? 100 : 10),"unit":"kWh"}"#)
        }
        lines.append(#"{"source":"meter","id":"q1-vm-it","kind":"product.it_electricity","site":"q1","product":"vm","start":"2024-03-01T00:00:00Z","end":"2024-03-02T00:00:00Z","value":50,"unit":"kWh"}"#)
        lines.append(#"{"source":"billing","id":"t-vm","kind":"usage","tenant":"T","product":"vm","site":"q1","start":"2024-03-01T00:00:00Z","end":"2024-03-02T00:00:00Z","value":10,"unit":"vCPU-h"}"#)
        return lines.joined(separator: "\n")
    }

    // By hand: the gap hours 02:00 and 03:00 are filled with 10 + (10 − 10) × k/3 = 10 kWh each.
    // The readings (eight 10s and one 100) have median 10 and MAD 0, floored at 0.01 × 10 = 0.1:
    // z(100) = 90 / 0.14826 = 607 > 3.5, so 08:00 is flagged and kept. Grid = 9 × 10 + 2 × 10 …
    // = 10 × 10 + 100 = 200 kWh; location = 200 × 0.5 = 100 kg, of which filled 20 × 0.5 = 10
    // (0.1), flagged 100 × 0.5 = 50 (0.5), measured 0.4. One product with all the IT energy and
    // one tenant with all its usage: every layer has the same shares.
    static let expected = (measured: 0.4, filled: 0.1, flagged: 0.5, estimated: 0.0)

    @Test func gapAndSpikeSharesReachEveryLayerOfTheReporter() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.postExpectingAccepted("/v1/sites", Self.sites, "application/json", accepted: 1)
        try await suite.postExpectingAccepted("/v1/products", Self.products, "application/json", accepted: 1)
        try await suite.postExpectingAccepted("/v1/factors", Self.factors, "application/x-ndjson", accepted: 1)
        try await suite.postExpectingAccepted("/v1/activity", Self.records, "application/x-ndjson", accepted: 11)
        try await suite.waitDrained()

        for layer in ["site", "product_site", "product", "tenant"] {
            let rows = try await suite.emissions("layer=\(layer)&from=2024-03&to=2024-03")
            let cell = try #require(rows.first, "\(layer)")
            #expect(rows.count == 1, "\(layer)")
            expectClose(cell["scope2_location"], 100, "\(layer) location")
            let quality = try #require(cell["quality"] as? [String: Any], "\(layer) quality")
            expectClose(quality["measured"], Self.expected.measured, "\(layer) measured share")
            expectClose(quality["filled"], Self.expected.filled, "\(layer) filled share")
            expectClose(quality["flagged"], Self.expected.flagged, "\(layer) flagged share")
            expectClose(quality["estimated"], Self.expected.estimated, "\(layer) estimated share")
        }

        // The filled hours are in the hourly results too (the gap is no longer empty).
        let hours = try await suite.emissions("layer=site&site=q1&granularity=hour&from=2024-03&to=2024-03")
        expectClose(row(hours, ["hour": "2024-03-01T02:00:00Z"])?["energy_kwh"], 10, "filled hour 02:00")
        expectClose(row(hours, ["hour": "2024-03-01T08:00:00Z"])?["energy_kwh"], 100, "flagged hour 08:00 is kept")

        // CSV carries the shares as four columns, found by their names.
        let (status, csv) = try await suite.get(.reporter, "/v1/emissions?layer=tenant&format=csv")
        #expect(status == 200)
        let lines = String(decoding: csv, as: UTF8.self).split(separator: "\n")
        let header = lines.first?.split(separator: ",").map(String.init) ?? []
        let first = try #require(header.firstIndex(of: "quality_measured"), "\(header)")
        #expect(Array(header[first..<min(first + 4, header.count)]) == ["quality_measured", "quality_filled", "quality_flagged", "quality_estimated"])
        let row = lines.dropFirst().first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) ?? []
        let cells = row.count >= first + 4 ? row[first..<first + 4].compactMap { Double($0) } : []
        #expect(cells.count == 4)
        if cells.count == 4 {
            expectClose(cells[1], Self.expected.filled, "CSV filled")
            expectClose(cells[2], Self.expected.flagged, "CSV flagged")
        }

        // The inventory reports state the shares: JSON section data_quality, HTML section.
        let report = try await suite.json(.reporter, "/v1/reports?period=2024-03&tenant=T&format=json")
        let section = try #require((report["sections"] as? [[String: Any]])?.first)
        let dataQuality = try #require(section["data_quality"] as? [String: Any])
        expectClose(dataQuality["filled"], Self.expected.filled, "report filled")
        expectClose(dataQuality["flagged"], Self.expected.flagged, "report flagged")
        let (htmlStatus, html) = try await suite.get(.reporter, "/v1/reports?period=2024-03&tenant=T&format=html")
        #expect(htmlStatus == 200)
        let page = String(decoding: html, as: UTF8.self)
        #expect(page.contains("<h3>Data quality</h3>") && page.contains("10.00 %") && page.contains("50.00 %"))

        // The site's lineage shows the filled hours as gap-fill terms and lists the flagged one.
        let lineage = try await suite.json(.calculator, "/v1/lineage?site=q1&month=2024-03")
        let terms = try #require(lineage["terms"] as? [[String: Any]])
        #expect(terms.filter { $0["source"] as? String == "gap-fill" && $0["scope"] as? String == "scope2_location" }.count == 2)
        let qualified = try #require(lineage["data_quality"] as? [[String: Any]])
        #expect(qualified.contains { $0["hour"] as? String == "2024-03-01T08:00:00Z" && $0["quality"] as? String == "flagged" })
        expectClose(lineage["grid_kwh"], 200, "lineage grid kWh includes the filled hours")
        await suite.stopAll()
    }
}
