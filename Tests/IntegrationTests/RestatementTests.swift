import Foundation
import Testing

/// Restatement: a factor revised for one month recalculates exactly the region-months it can
/// change; the reporter keeps the earlier version with the factors it used, and answers
/// `as_of` an instant before the revision with the earlier figures.
@Suite(.serialized) struct RestatementTests {
    static let sites = """
        [{"site":"s1","region":"r1","grid":"G1"},{"site":"e1","region":"r2","grid":"G2"}]
        """
    static let factors = """
        {"factor":"grid.G1.2024","activity":"electricity","region":"G1","value":0.5,"unit":"kgCO2e/kWh","valid_from":"2024-01-01","valid_to":"2025-01-01","source":"test","version":"1"}
        {"factor":"grid.G2.2024","activity":"electricity","region":"G2","value":0.4,"unit":"kgCO2e/kWh","valid_from":"2024-01-01","valid_to":"2025-01-01","source":"test","version":"1"}
        """
    static let records = """
        {"source":"meter","id":"s1-jan","kind":"facility.electricity","site":"s1","start":"2024-01-01T00:00:00Z","end":"2024-02-01T00:00:00Z","value":1000,"unit":"kWh"}
        {"source":"meter","id":"s1-feb","kind":"facility.electricity","site":"s1","start":"2024-02-01T00:00:00Z","end":"2024-03-01T00:00:00Z","value":1000,"unit":"kWh"}
        {"source":"meter","id":"e1-feb","kind":"facility.electricity","site":"e1","start":"2024-02-01T00:00:00Z","end":"2024-03-01T00:00:00Z","value":100,"unit":"kWh"}
        """
    /// A revised G1 figure for February only (a later `valid_from` wins over the yearly factor).
    static let revision = """
        {"factor":"grid.G1.2024-02","activity":"electricity","region":"G1","value":0.7,"unit":"kgCO2e/kWh","valid_from":"2024-02-01","valid_to":"2024-03-01","source":"test revised","version":"2"}
        """

    @Test func factorRevisionRestatesExactlyItsMonthAndKeepsTheOldVersion() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.postExpectingAccepted("/v1/sites", Self.sites, "application/json", accepted: 2)
        try await suite.postExpectingAccepted("/v1/factors", Self.factors, "application/x-ndjson", accepted: 2)
        try await suite.postExpectingAccepted("/v1/activity", Self.records, "application/x-ndjson", accepted: 3)
        try await suite.waitDrained()

        func versions() async throws -> [String: Int] {
            let object = try await suite.json(.reporter, "/v1/versions")
            var latest: [String: Int] = [:]
            for entry in object["versions"] as? [[String: Any]] ?? [] {
                let key = "\(entry["region"] as? String ?? "")/\(entry["month"] as? String ?? "")"
                latest[key] = max(latest[key] ?? 0, entry["version"] as? Int ?? 0)
            }
            return latest
        }
        let before = try await versions()
        #expect(Set(before.keys) == ["r1/2024-01", "r1/2024-02", "r2/2024-02"])
        // Feb, by hand: 1000 kWh × 0.5 = 500 kg before the revision, × 0.7 = 700 after.
        let febBefore = try #require(row(try await suite.emissions("layer=site&site=s1&from=2024-02&to=2024-02"), ["site": "s1"]))
        expectClose(febBefore["scope2_location"], 500, "s1 Feb before the revision")

        try await Task.sleep(for: .milliseconds(50))
        let instantBefore = Date()
        try await Task.sleep(for: .milliseconds(50))
        try await suite.postExpectingAccepted("/v1/factors", Self.revision, "application/x-ndjson", accepted: 1)
        try await suite.waitDrained()

        let after = try await versions()
        // Exactly one region-month restated: r1 Feb. Jan (outside the validity) and r2 (grid G2) untouched.
        #expect(after["r1/2024-02"] == (before["r1/2024-02"] ?? 0) + 1)
        #expect(after["r1/2024-01"] == before["r1/2024-01"])
        #expect(after["r2/2024-02"] == before["r2/2024-02"])

        let site = try await suite.emissions("layer=site&from=2024-01&to=2024-02")
        expectClose(row(site, ["site": "s1", "month": "2024-02"])?["scope2_location"], 700, "s1 Feb restated: 1000 × 0.7")
        expectClose(row(site, ["site": "s1", "month": "2024-01"])?["scope2_location"], 500, "s1 Jan unchanged: 1000 × 0.5")
        expectClose(row(site, ["site": "e1", "month": "2024-02"])?["scope2_location"], 40, "e1 Feb unchanged: 100 × 0.4")

        // As of an instant before the revision: the superseded figures.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let asOf = formatter.string(from: instantBefore)
        let old = try await suite.emissions("layer=site&from=2024-01&to=2024-02&as_of=\(asOf)")
        expectClose(row(old, ["site": "s1", "month": "2024-02"])?["scope2_location"], 500, "s1 Feb as of before the revision")
        expectClose(row(old, ["site": "s1", "month": "2024-01"])?["scope2_location"], 500, "s1 Jan as of before the revision")
        expectClose(row(old, ["site": "e1", "month": "2024-02"])?["scope2_location"], 40, "e1 Feb as of before the revision")
        #expect(old.count == 3)
        // As of now: the restated figures.
        let now = formatter.string(from: Date().addingTimeInterval(1))
        let current = try await suite.emissions("layer=site&from=2024-02&to=2024-02&site=s1&as_of=\(now)")
        expectClose(row(current, ["site": "s1"])?["scope2_location"], 700, "s1 Feb as of now")
        // As of before anything was calculated: nothing.
        #expect(try await suite.emissions("layer=site&as_of=2000-01-01T00:00:00Z").isEmpty)

        // The superseded version stays listed with the factor versions it used.
        let history = try await suite.json(.reporter, "/v1/versions?region=r1&month=2024-02")
        let entries = try #require(history["versions"] as? [[String: Any]])
        let superseded = entries.filter { $0["superseded_at"] is String }
        let currentEntry = try #require(entries.first { $0["superseded_at"] == nil })
        #expect(!superseded.isEmpty)
        let lastSuperseded = try #require(superseded.last)
        let oldFactors = (lastSuperseded["factors"] as? [[String: Any]] ?? []).compactMap { $0["factor"] as? String }
        let newFactors = (currentEntry["factors"] as? [[String: Any]] ?? []).compactMap { $0["factor"] as? String }
        #expect(oldFactors.contains("grid.G1.2024") && !oldFactors.contains("grid.G1.2024-02"))
        #expect(newFactors.contains("grid.G1.2024-02") && !newFactors.contains("grid.G1.2024"))
        let (bad, _) = try await suite.get(.reporter, "/v1/emissions?as_of=yesterday")
        #expect(bad == 400)
        await suite.stopAll()
    }
}
