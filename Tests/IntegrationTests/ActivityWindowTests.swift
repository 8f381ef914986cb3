import Foundation
import Testing

/// Embodied hardware is amortized over months after the data received (``Fixture``: 12 months
/// of a server from January 2024, activity data in January and the first half-day of
/// February). `/v1/emissions` without `to` ends at the latest month with activity; the later
/// months are answered when asked for.
@Suite(.serialized) struct ActivityWindowTests {
    @Test func answersEndAtTheLatestMonthWithActivityUnlessAskedFurther() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()
        try await suite.waitDrained()

        let byDefault = try await suite.json(.reporter, "/v1/emissions?layer=site")
        #expect(byDefault["to"] as? String == "2024-02")
        let months = Set((byDefault["rows"] as? [[String: Any]] ?? []).compactMap { $0["month"] as? String })
        #expect(months == ["2024-01", "2024-02"])

        let asked = try await suite.emissions("layer=site&site=s2&to=2024-12")
        #expect(asked.count == 12)
        let december = try #require(row(asked, ["month": "2024-12"]))
        expectClose(december["scope3"], 1200.0 * 31 / 366, "s2 December: embodied only")
        expectClose(december["energy_kwh"], 0, "s2 December: no energy")
        // A query starting after the activity is not cut short.
        let later = try await suite.json(.reporter, "/v1/emissions?layer=site&from=2024-06")
        #expect(later["to"] == nil)
        #expect((later["rows"] as? [[String: Any]] ?? []).count == 7)
        await suite.stopAll()
    }
}
