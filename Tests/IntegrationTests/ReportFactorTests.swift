import Foundation
import Testing

/// The factors table of a report names, for each factor the figures rest on, its activity,
/// version, value, the unit of that value and its source — carried from the calculator's
/// results (`factors_used`) into the reporter's store, in JSON, CSV and HTML alike.
@Suite(.serialized) struct ReportFactorTests {
    @Test func reportsListEachFactorWithActivityUnitAndSource() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.postExpectingAccepted("/v1/sites", Fixture.sites, "application/json", accepted: 2)
        try await suite.postExpectingAccepted("/v1/products", Fixture.products, "application/json", accepted: 2)
        try await suite.postExpectingAccepted("/v1/factors", Fixture.factors, "application/x-ndjson", accepted: 4)
        try await suite.postExpectingAccepted("/v1/activity", Fixture.facility, "application/x-ndjson", accepted: 10)
        try await suite.postExpectingAccepted("/v1/activity", Fixture.usageCSV, "text/csv", accepted: 2)
        try await suite.waitDrained()

        let report = try await suite.json(.reporter, "/v1/reports?period=2024-Q1")
        let factors = try #require(report["factors"] as? [[String: Any]])
        func factor(_ id: String) throws -> [String: Any] { try #require(factors.first { $0["factor"] as? String == id }, "\(factors)") }
        // grid.G1.rest was declared as 600 kgCO2e/MWh: the report gives the value applied, per kWh.
        let rest = try factor("grid.G1.rest")
        expectClose(rest["value"], 0.6, "grid.G1.rest per kWh")
        #expect(rest["unit"] as? String == "kgCO2e/kWh")
        #expect(rest["activity"] as? String == "electricity")
        #expect(rest["source"] as? String == "test")
        #expect(rest["version"] as? String == "1")
        let diesel = try factor("diesel")
        #expect(diesel["unit"] as? String == "kgCO2e/L" && diesel["activity"] as? String == "diesel" && diesel["source"] as? String == "test")
        let residual = try factor("residual.G1")
        #expect(residual["activity"] as? String == "residual_electricity")

        let (_, csvData) = try await suite.get(.reporter, "/v1/reports?period=2024-Q1&format=csv")
        let csv = String(decoding: csvData, as: UTF8.self)
        #expect(csv.split(separator: "\n").first?.contains(",factor_source,factor_unit,quality_measured,") == true)
        #expect(csv.contains(",factor,,diesel,,,,,,,,1,2.7,test,kgCO2e/L"), "\(csv)")

        let (_, htmlData) = try await suite.get(.reporter, "/v1/reports?period=2024-Q1&format=html")
        let html = String(decoding: htmlData, as: UTF8.self)
        #expect(html.contains("<td>grid.G1.rest</td><td>electricity</td><td>1</td><td class=\"n\">0.6</td><td>kgCO2e/kWh</td><td>test</td>"))
        await suite.stopAll()
    }
}
