import Foundation
import Testing

/// Load profiles through the real services: a site declares the daily shape of its load, a
/// monthly grid reading is spread over the month's hours by it, a PPA's certificates by a solar
/// shape of their own; the hourly method, the hours, the data-quality shares and the lineage
/// follow, against hand-computed figures. Bad profiles are refused with the field named.
@Suite(.serialized) struct LoadProfilePipelineTests {
    /// Weights by UTC hour of the day: nothing 00–05, 1 from 06 to 17, 2 from 18 to 23 (Σ 24).
    static let load = (0..<24).map { $0 < 6 ? "0" : $0 < 18 ? "1" : "2" }.joined(separator: ",")
    /// A solar PPA: 1 from 06 to 17, nothing at night.
    static let solar = (0..<24).map { (6..<18).contains($0) ? "1" : "0" }.joined(separator: " ")

    static var sites: String {
        #"[{"site":"lp1","region":"lpr","grid":"LPG","load_profile":"\#(load)"},{"site":"lp-bad","region":"lpr","grid":"LPG","load_profile":"1,2,3"}]"#
    }
    static let products = #"[{"product":"vm","unit":"vCPU-h","basis":"usage"}]"#
    static let factors = """
        {"factor":"grid.LPG","activity":"electricity","region":"LPG","value":0.5,"unit":"kgCO2e/kWh","valid_from":"2024-04-01","valid_to":"2024-05-01","source":"test","version":"1"}
        """

    static var activity: String {
        [
            // One reading for all of April: 720 kWh, 24 a day, by the load profile 1 kWh in
            // each hour 06–17 and 2 kWh in each hour 18–23.
            #"{"source":"meter","id":"april","kind":"facility.electricity","site":"lp1","start":"2024-04-01T00:00:00Z","end":"2024-05-01T00:00:00Z","value":720,"unit":"kWh"}"#,
            // 480 kWh of solar certificates over April: 16 a day, 4/3 kWh in each hour 06–17.
            #"{"source":"ppa","id":"solar-april","kind":"facility.certificate","site":"lp1","start":"2024-04-01T00:00:00Z","end":"2024-05-01T00:00:00Z","value":480,"unit":"kWh","profile":"\#(solar)"}"#,
            #"{"source":"meter","id":"vm-it","kind":"product.it_electricity","site":"lp1","product":"vm","start":"2024-04-01T00:00:00Z","end":"2024-05-01T00:00:00Z","value":500,"unit":"kWh"}"#,
            #"{"source":"billing","id":"a","kind":"usage","tenant":"a","product":"vm","region":"lpr","start":"2024-04-01T00:00:00Z","end":"2024-05-01T00:00:00Z","value":10,"unit":"vCPU-h"}"#,
            // Refused: 23 weights; a profile on a kind that is not shaped; a negative weight.
            #"{"source":"ppa","id":"short","kind":"facility.certificate","site":"lp1","start":"2024-04-01T00:00:00Z","end":"2024-05-01T00:00:00Z","value":1,"unit":"kWh","profile":"\#((0..<23).map { _ in "1" }.joined(separator: ","))"}"#,
            #"{"source":"meter","id":"diesel","kind":"facility.fuel","fuel":"diesel","site":"lp1","start":"2024-04-01T00:00:00Z","end":"2024-05-01T00:00:00Z","value":1,"unit":"L","profile":"\#(load)"}"#,
            #"{"source":"ppa","id":"negative","kind":"facility.certificate","site":"lp1","start":"2024-04-01T00:00:00Z","end":"2024-05-01T00:00:00Z","value":1,"unit":"kWh","profile":"-1\#(String(repeating: ",1", count: 23))"}"#,
        ].joined(separator: "\n")
    }

    @Test func aMonthlyReadingFollowsTheSitesProfileAndCertificatesTheirOwn() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        let siteVerdict = try await suite.postExpectingAccepted("/v1/sites", Self.sites, "application/json", accepted: 1)
        let badSite = siteVerdict["rejected"] as? [[String: Any]] ?? []
        #expect(badSite.count == 1 && badSite.first?["field"] as? String == "load_profile", "\(badSite)")
        #expect((badSite.first?["reason"] as? String)?.contains("24 weights") == true, "\(badSite)")
        try await suite.postExpectingAccepted("/v1/products", Self.products, "application/json", accepted: 1)
        try await suite.postExpectingAccepted("/v1/factors", Self.factors, "application/x-ndjson", accepted: 1)
        let verdict = try await suite.postExpectingAccepted("/v1/activity", Self.activity, "application/x-ndjson", accepted: 4)
        let rejected = verdict["rejected"] as? [[String: Any]] ?? []
        #expect(rejected.map { $0["field"] as? String } == ["profile", "profile", "profile"], "\(rejected)")
        let reasons = rejected.compactMap { $0["reason"] as? String }
        #expect(reasons.count == 3 && reasons[0].contains("got 23") && reasons[1].contains("facility.fuel") && reasons[2].contains("negative"), "\(reasons)")
        try await suite.waitDrained()

        // By hand, site lp1, April (30 days): location 720 × 0.5 = 360 kg, all of it resting on
        // the profile. Monthly matching: (720 − 480) × 0.5 = 120 kg. Hourly: in hours 06–17 the
        // 1 kWh of load is covered (the other 1/3 kWh of certificates is lost), hours 18–23 are
        // not: 12 kWh a day uncovered, 360 kWh × 0.5 = 180 kg; carbon-free 360 kWh, share 0.5.
        let site = try #require(row(try await suite.emissions("layer=site&from=2024-04&to=2024-04"), ["site": "lp1"]))
        expectClose(site["scope2_location"], 360, "lp1 scope2_location")
        expectClose(site["scope2_market"], 120, "lp1 scope2_market")
        expectClose(site["scope2_market_hourly"], 180, "lp1 scope2_market_hourly")
        expectClose(site["cfe_kwh"], 360, "lp1 cfe_kwh")
        let quality = try #require(site["quality"] as? [String: Any], "\(site)")
        expectClose(quality["profiled"], 1, "lp1 profiled share")
        expectClose(quality["measured"], 0, "lp1 measured share")

        // The tenant takes the whole product and so the same shares.
        let tenant = try #require(row(try await suite.emissions("layer=tenant&group_by=tenant&from=2024-04&to=2024-04"), ["tenant": "a"]))
        expectClose(tenant["scope2_market_hourly"], 180, "a scope2_market_hourly")
        expectClose((tenant["quality"] as? [String: Any])?["profiled"], 1, "a profiled share")

        // Hour by hour, the shape: 03:00 nothing, 06:00 1 kWh (covered), 20:00 2 kWh (uncovered).
        let hours = try await suite.emissions("layer=site&site=lp1&granularity=hour&from=2024-04&to=2024-04")
        let night = row(hours, ["hour": "2024-04-02T03:00:00Z"])
        #expect(night == nil || ((night?["energy_kwh"] as? Double) ?? 0) == 0, "\(String(describing: night))")
        expectClose(row(hours, ["hour": "2024-04-02T06:00:00Z"])?["energy_kwh"], 1, "06:00 kWh")
        expectClose(row(hours, ["hour": "2024-04-02T06:00:00Z"])?["scope2_market_hourly"], 0, "06:00 hourly-matched")
        expectClose(row(hours, ["hour": "2024-04-02T20:00:00Z"])?["scope2_location"], 1, "20:00 location")
        expectClose(row(hours, ["hour": "2024-04-02T20:00:00Z"])?["scope2_market_hourly"], 1, "20:00 hourly-matched")

        // The CSV says it too, in its last column.
        let (status, csv) = try await suite.get(.reporter, "/v1/emissions?layer=site&from=2024-04&to=2024-04&format=csv")
        #expect(status == 200)
        let lines = String(decoding: csv, as: UTF8.self).split(separator: "\n")
        let header = lines.first.map { $0.split(separator: ",").map(String.init) } ?? []
        let column = try #require(header.firstIndex(of: "quality_profiled"), "\(header)")
        let cells = lines.dropFirst().first.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
        #expect(cells.count == header.count && cells[column] == "1.0", "\(cells)")

        // The lineage recomputes the hourly-matched figure and the profiled share hour by hour.
        let lineage = try await suite.json(.calculator, "/v1/lineage?site=lp1&month=2024-04")
        let matched = try #require(lineage["hours"] as? [[String: Any]])
        var hourly = 0.0, carbonFree = 0.0
        for hour in matched {
            let grid = hour["grid_kwh"] as? Double ?? 0, certificates = hour["certificates_kwh"] as? Double ?? 0
            let residual = (hour["residual"] as? [String: Any])?["value"] as? Double ?? 0
            hourly += max(0, grid - certificates) * residual
            carbonFree += min(grid, certificates)
        }
        expectClose(hourly, 180, "hourly-matched from lineage")
        expectClose(carbonFree, 360, "carbon-free from lineage")
        // And a tenant cell's lineage carries the hourly-matched figure down by its share.
        let cell = try await suite.json(.calculator, "/v1/lineage?layer=tenant&tenant=a&product=vm&region=lpr&month=2024-04")
        expectClose((cell["figures"] as? [String: Any])?["scope2_market_hourly"], 180, "a's hourly-matched figure from its lineage")
        expectClose((cell["figures"] as? [String: Any])?["cfe_kwh"], 360, "a's carbon-free energy from its lineage")
        let profiled = (lineage["data_quality"] as? [[String: Any]] ?? []).filter { $0["quality"] as? String == "profiled" }
        #expect(profiled.count == 30 * 18, "hours with profiled electricity: \(profiled.count)")
        let profiledKg = profiled.reduce(0.0) { sum, hour in
            sum + (hour["kwh"] as? Double ?? 0) * ((hour["factor"] as? [String: Any])?["value"] as? Double ?? 0)
        }
        expectClose(profiledKg, 360, "profiled kg from lineage")
        await suite.stopAll()
    }
}
