import Foundation
import Testing

/// The shipped factor library through the real services: listed and searched on the
/// calculator's `GET /v1/factors`, used when nothing is declared, and overridden by a declaration.
@Suite(.serialized) struct FactorLibraryTests {
    @Test func defaultsAreListedUsedAndOverridden() async throws {
        let suite = try SuiteProcess()
        try await suite.start()

        let search = try await suite.json(.calculator, "/v1/factors?activity=electricity&region=CN&at=2022-06-01")
        let found = try #require(search["factors"] as? [[String: Any]])
        #expect(found.map { $0["factor"] as? String } == ["cn.mee.grid.CN.2022"])
        #expect(found.first?["in_force"] as? Bool == true)
        #expect(found.first?["origin"] as? String == "default")
        #expect(found.first?["value"] as? Double == 0.5366)
        let gases = try await suite.json(.calculator, "/v1/factors?q=hfc-134a")
        #expect((gases["factors"] as? [[String: Any]])?.compactMap { $0["factor"] as? String } == ["ipcc.gwp100.AR6.HFC-134a"])
        let (badStatus, _) = try await suite.get(.calculator, "/v1/factors?at=yesterday")
        #expect(badStatus == 400)

        // A site on the national grid, June 2022, with no factor declared: the defaults apply.
        try await suite.postExpectingAccepted(
            "/v1/sites", #"[{"site":"bj-1","region":"cn-north","grid":"CN"}]"#, "application/json", accepted: 1)
        try await suite.postExpectingAccepted(
            "/v1/activity",
            #"{"source":"meter","id":"bj-1-2022-06","kind":"facility.electricity","site":"bj-1","start":"2022-06-01T00:00:00Z","end":"2022-07-01T00:00:00Z","value":1000,"unit":"kWh"}"#
                + "\n"
                + #"{"source":"meter","id":"bj-1-cert","kind":"facility.certificate","site":"bj-1","start":"2022-06-01T00:00:00Z","end":"2022-07-01T00:00:00Z","value":400,"unit":"kWh"}"#,
            "application/x-ndjson", accepted: 2)
        try await suite.waitDrained()
        var site = try #require(row(try await suite.emissions("layer=site"), ["site": "bj-1", "month": "2022-06"]))
        expectClose(site["scope2_location"], 1000 * 0.5366, "location with the MEE/NBS 2022 default")
        expectClose(site["scope2_market"], 600 * 0.5856, "market with the 2022 residual-mix default")

        // A declared factor for CN overrides the default and restates the month.
        try await suite.postExpectingAccepted(
            "/v1/factors",
            #"{"factor":"own.CN.2022","activity":"electricity","region":"CN","value":0.6,"unit":"kgCO2e/kWh","valid_from":"2022-01-01","valid_to":"2023-01-01","source":"own audit","version":"1"}"#,
            "application/x-ndjson", accepted: 1)
        try await suite.waitDrained()
        site = try #require(row(try await suite.emissions("layer=site"), ["site": "bj-1", "month": "2022-06"]))
        expectClose(site["scope2_location"], 1000 * 0.6, "location with the declared factor")
        expectClose(site["scope2_market"], 600 * 0.5856, "the residual default still applies")
        let after = try await suite.json(.calculator, "/v1/factors?activity=electricity&region=CN&at=2022-06-01")
        let inForce = (after["factors"] as? [[String: Any]])?.filter { $0["in_force"] as? Bool == true }.compactMap { $0["factor"] as? String }
        #expect(inForce == ["own.CN.2022"])
        await suite.stopAll()
    }
}
