import Foundation
import Testing

/// The hourly method of market-based scope 2 through the real services: certificates sent with
/// their hours and grids, figures read from the reporter on every layer, monthly and hourly,
/// against hand-computed values.
@Suite(.serialized) struct HourlyMatchingPipelineTests {
    static let sites = #"[{"site":"h1","region":"hr","grid":"HG"},{"site":"h2","region":"hr2","grid":"HG2"}]"#
    static let products = #"[{"product":"vm","unit":"vCPU-h","basis":"usage"}]"#
    static let factors = """
        {"factor":"grid.HG","activity":"electricity","region":"HG","value":0.5,"unit":"kgCO2e/kWh","valid_from":"2024-03-01","valid_to":"2024-04-01","source":"test","version":"1"}
        """

    /// 10 kWh in each hour of 2024-03-01 at h1; certificates of 40 kWh in hours 10, 11 and 12
    /// (HG, one naming it, two naming no grid), 100 kWh of HG2 in hour 13 (another grid), and
    /// one naming a grid no site is in (refused); the product's IT energy; two tenants.
    static var activity: String {
        var lines = (0..<24).map { h in
            #"{"source":"meter","id":"grid-\#(h)","kind":"facility.electricity","site":"h1","start":"2024-03-01T\#(String(format: "%02d", h)):00:00Z","end":"2024-03-01T\#(String(format: "%02d", h + 1 == 24 ? 0 : h + 1)):00:00Z","value":10,"unit":"kWh"}"#
        }
        // The last hour ends at midnight of the next day.
        lines[23] = #"{"source":"meter","id":"grid-23","kind":"facility.electricity","site":"h1","start":"2024-03-01T23:00:00Z","end":"2024-03-02T00:00:00Z","value":10,"unit":"kWh"}"#
        lines += [
            #"{"source":"ppa","id":"c-10","kind":"facility.certificate","site":"h1","grid":"HG","start":"2024-03-01T10:00:00Z","end":"2024-03-01T11:00:00Z","value":40,"unit":"kWh"}"#,
            #"{"source":"ppa","id":"c-11","kind":"facility.certificate","site":"h1","start":"2024-03-01T11:00:00Z","end":"2024-03-01T12:00:00Z","value":40,"unit":"kWh"}"#,
            #"{"source":"ppa","id":"c-12","kind":"facility.certificate","site":"h1","start":"2024-03-01T12:00:00Z","end":"2024-03-01T13:00:00Z","value":0.04,"unit":"MWh"}"#,
            #"{"source":"rec","id":"c-far","kind":"facility.certificate","site":"h1","grid":"HG2","start":"2024-03-01T13:00:00Z","end":"2024-03-01T14:00:00Z","value":100,"unit":"kWh"}"#,
            #"{"source":"rec","id":"c-nowhere","kind":"facility.certificate","site":"h1","grid":"ATLANTIS","start":"2024-03-01T13:00:00Z","end":"2024-03-01T14:00:00Z","value":100,"unit":"kWh"}"#,
            #"{"source":"meter","id":"vm-it","kind":"product.it_electricity","site":"h1","product":"vm","start":"2024-03-01T00:00:00Z","end":"2024-03-02T00:00:00Z","value":100,"unit":"kWh"}"#,
            #"{"source":"billing","id":"a","kind":"usage","tenant":"a","product":"vm","region":"hr","start":"2024-03-01T00:00:00Z","end":"2024-03-02T00:00:00Z","value":3,"unit":"vCPU-h"}"#,
            #"{"source":"billing","id":"b","kind":"usage","tenant":"b","product":"vm","region":"hr","start":"2024-03-01T00:00:00Z","end":"2024-03-02T00:00:00Z","value":1,"unit":"vCPU-h"}"#,
        ]
        return lines.joined(separator: "\n")
    }

    @Test func bothMarketMethodsSideBySideOnEveryLayer() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.postExpectingAccepted("/v1/sites", Self.sites, "application/json", accepted: 2)
        try await suite.postExpectingAccepted("/v1/products", Self.products, "application/json", accepted: 1)
        try await suite.postExpectingAccepted("/v1/factors", Self.factors, "application/x-ndjson", accepted: 1)
        let verdict = try await suite.postExpectingAccepted("/v1/activity", Self.activity, "application/x-ndjson", accepted: 31)
        let rejected = verdict["rejected"] as? [[String: Any]] ?? []
        #expect(rejected.count == 1 && rejected.first?["field"] as? String == "grid", "\(rejected)")
        #expect((rejected.first?["reason"] as? String)?.contains("unknown grid \"ATLANTIS\"") == true, "\(rejected)")
        try await suite.waitDrained()

        // Site h1, by hand: G = 240 kWh at 0.5 kg/kWh (no residual mix: r = 0.5).
        // Monthly: certificates 120 (HG) + 100 (HG2, applied monthly by default) = 220;
        //   (240 − 220) × 0.5 = 10 kg.
        // Hourly: hours 10–12 covered for 10 kWh each (the other 30 kWh of each hour are lost);
        //   HG2's certificates are outside the market boundary: (240 − 30) × 0.5 = 105 kg.
        // CFE: 30 kWh of 240, share 0.125.
        let site = try #require(row(try await suite.emissions("layer=site&from=2024-03&to=2024-03"), ["site": "h1"]))
        expectClose(site["scope2_market"], 10, "h1 scope2_market")
        expectClose(site["scope2_market_hourly"], 105, "h1 scope2_market_hourly")
        expectClose(site["total_market_hourly"], 105, "h1 total_market_hourly")
        expectClose(site["cfe_kwh"], 30, "h1 cfe_kwh")
        expectClose(site["cfe_share"], 0.125, "h1 cfe_share")

        // One product takes the whole site (w = 1); tenants a and b 3/4 and 1/4 of it.
        let product = try #require(row(try await suite.emissions("layer=product&from=2024-03&to=2024-03"), ["product": "vm"]))
        expectClose(product["scope2_market_hourly"], 105, "vm scope2_market_hourly")
        let tenants = try await suite.emissions("layer=tenant&group_by=tenant&from=2024-03&to=2024-03")
        expectClose(row(tenants, ["tenant": "a"])?["scope2_market_hourly"], 78.75, "a scope2_market_hourly")
        expectClose(row(tenants, ["tenant": "a"])?["cfe_kwh"], 22.5, "a cfe_kwh")
        expectClose(row(tenants, ["tenant": "b"])?["scope2_market_hourly"], 26.25, "b scope2_market_hourly")
        expectClose(row(tenants, ["tenant": "b"])?["cfe_share"], 0.125, "b cfe_share")

        // Hour by hour: hour 11 is covered (0 kg, 10 kWh carbon-free), hour 13 is not (HG2 does not count).
        let hours = try await suite.emissions("layer=site&site=h1&granularity=hour&from=2024-03&to=2024-03")
        expectClose(row(hours, ["hour": "2024-03-01T11:00:00Z"])?["scope2_market_hourly"], 0, "hour 11")
        expectClose(row(hours, ["hour": "2024-03-01T11:00:00Z"])?["cfe_kwh"], 10, "hour 11 cfe")
        expectClose(row(hours, ["hour": "2024-03-01T13:00:00Z"])?["scope2_market_hourly"], 5, "hour 13")
        let tenantHours = try await suite.emissions("layer=tenant&tenant=a&granularity=hour&from=2024-03&to=2024-03")
        expectClose(tenantHours.reduce(0.0) { $0 + (($1["scope2_market_hourly"] as? Double) ?? 0) }, 78.75, "a's hours")

        // The provider can list what was not applied, and why.
        let unapplied = try await suite.json(.calculator, "/v1/certificates/unapplied?month=2024-03")
        let listed = unapplied["certificates"] as? [[String: Any]] ?? []
        #expect(listed.count == 1, "\(unapplied)")
        #expect(listed.first?["id"] as? String == "c-far" && listed.first?["grid"] as? String == "HG2" && listed.first?["site_grid"] as? String == "HG")
        #expect(listed.first?["applied_hourly"] as? Bool == false && listed.first?["applied_monthly"] as? Bool == true)
        expectClose(listed.first?["kwh"], 100, "c-far kWh")
        let (badMonth, _) = try await suite.get(.calculator, "/v1/certificates/unapplied?month=March")
        #expect(badMonth == 400)

        // CSV carries both methods.
        let (status, csv) = try await suite.get(.reporter, "/v1/emissions?layer=site&from=2024-03&to=2024-03&format=csv")
        #expect(status == 200)
        let header = String(decoding: csv, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.hasSuffix(",scope2_market_hourly,total_market_hourly,cfe_kwh,cfe_share,quality_profiled,water_l,unallocated_water_l"), "\(header)")
        await suite.stopAll()
    }

    @Test func anHourlyIntensitySeriesPricesEachHour() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.postExpectingAccepted("/v1/sites", Self.sites, "application/json", accepted: 2)
        try await suite.postExpectingAccepted("/v1/products", Self.products, "application/json", accepted: 1)
        // 100 g/kWh in the first twelve hours of 2024-03-01, 300 g/kWh in the last twelve, as an
        // Electricity Maps export; then rows that cannot be factors.
        var csv = "Datetime (UTC),Zone Id,Carbon Intensity gCO₂eq/kWh (direct)\n"
        for h in 0..<24 { csv += "2024-03-01 \(String(format: "%02d", h)):00:00,HG,\(h < 12 ? 100 : 300)\n" }
        csv += "2024-03-01 05:00:00,HG,999\n"  // line 26: hour 5 again, another value
        csv += "2024-03-01 05:30:00,HG,100\n"  // line 27: not on the hour
        csv += "2024-03-01 06:00:00,HG,-1\n"  // line 28: negative
        csv += "2024-03-01 06:00:00,ATLANTIS,100\n"  // line 29: no site is in that grid
        let (status, data) = try await suite.post(
            .collector, "/v1/factors/hourly?source=electricitymaps&version=2024-03", body: Data(csv.utf8), contentType: "text/csv")
        #expect(status == 200, "\(String(decoding: data, as: UTF8.self))")
        let verdict = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(verdict["accepted"] as? Int == 24, "\(verdict)")
        let rejected = verdict["rejected"] as? [[String: Any]] ?? []
        #expect(Set(rejected.compactMap { $0["line"] as? Int }) == [26, 27, 28, 29], "\(rejected)")
        #expect(rejected.first { $0["line"] as? Int == 29 }?["field"] as? String == "zone", "\(rejected)")
        // A file the importer cannot read is refused whole, with the reason.
        let (badStatus, badBody) = try await suite.post(
            .collector, "/v1/factors/hourly?source=x", body: Data("zone,value\nHG,1\n".utf8), contentType: "text/csv")
        #expect(badStatus == 400 && String(decoding: badBody, as: UTF8.self).contains("no time column"))

        let grid = (0..<24).map { h in
            #"{"source":"meter","id":"g-\#(h)","kind":"facility.electricity","site":"h1","start":"2024-03-01T\#(String(format: "%02d", h)):00:00Z","end":"\#(h == 23 ? "2024-03-02T00" : "2024-03-01T" + String(format: "%02d", h + 1)):00:00Z","value":10,"unit":"kWh"}"#
        }.joined(separator: "\n")
        try await suite.postExpectingAccepted("/v1/activity", grid, "application/x-ndjson", accepted: 24)
        try await suite.waitDrained()
        // 120 kWh × 0.1 + 120 kWh × 0.3 = 48 kg, hour by hour.
        let site = try #require(row(try await suite.emissions("layer=site&from=2024-03&to=2024-03"), ["site": "h1"]))
        expectClose(site["scope2_location"], 48, "h1 scope2_location with the hourly series")
        let hours = try await suite.emissions("layer=site&site=h1&granularity=hour&from=2024-03&to=2024-03")
        expectClose(row(hours, ["hour": "2024-03-01T13:00:00Z"])?["scope2_location"], 3, "hour 13 at 300 g/kWh")
        await suite.stopAll()
    }
}
