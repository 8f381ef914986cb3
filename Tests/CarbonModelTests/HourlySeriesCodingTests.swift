import CarbonModel
import Foundation
import Testing

/// A series whose hours are all equal travels as one value per column and its number of hours.
@Suite struct HourlySeriesCodingTests {
    @Test func uniformSeriesIsSentOnceAndComesBackWhole() throws {
        let hour = EmissionFigures(scope1: 0, scope2Location: 0, scope2Market: 0, scope3: 1200.0 / 366 / 24, energyKWh: 0)
        let series = HourlySeries(layer: "product", product: "ecs", hours: Array(repeating: hour, count: 744))
        #expect(series.uniformFigures == hour)
        let data = try JSONEncoder().encode(series)
        #expect(data.count < 300, "\(data.count) bytes")
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["uniform_hours"] as? Int == 744)
        let decoded = try JSONDecoder().decode(HourlySeries.self, from: data)
        #expect(decoded == series)
    }

    @Test func seriesWithDifferentHoursIsSentHourByHour() throws {
        var hours = Array(repeating: EmissionFigures.zero, count: 24)
        hours[3].scope2Location = 0.5
        let series = HourlySeries(layer: "site", site: "s1", hours: hours)
        #expect(series.uniformFigures == nil)
        let data = try JSONEncoder().encode(series)
        #expect((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["uniform_hours"] == nil)
        #expect(try JSONDecoder().decode(HourlySeries.self, from: data) == series)
    }

    @Test func malformedUniformSeriesAreRefused() {
        let columns = #""scope1":[1],"scope2_location":[1],"scope2_market":[1],"scope3":[1],"energy_kwh":[1]"#
        for bad in [
            #"{"layer":"site","part":"total",\#(columns),"uniform_hours":100000}"#,
            #"{"layer":"site","part":"total",\#(columns),"uniform_hours":0}"#,
            #"{"layer":"site","part":"total","scope1":[1,2],"scope2_location":[1,2],"scope2_market":[1,2],"scope3":[1,2],"energy_kwh":[1,2],"uniform_hours":5}"#,
            #"{"layer":"site","part":"total","scope1":[1,2],"scope2_location":[1],"scope2_market":[1],"scope3":[1],"energy_kwh":[1]}"#,
        ] {
            #expect(throws: DecodingError.self, "\(bad)") { try JSONDecoder().decode(HourlySeries.self, from: Data(bad.utf8)) }
        }
    }
}
