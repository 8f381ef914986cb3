import Foundation
import Testing

@testable import CarbonModel
@testable import RecordParsing

/// Grid-intensity time series as grid-data services export them, turned into hourly factors;
/// each bad row named by its line, the others kept.
struct HourlyFactorSeriesTests {
    static let options = HourlyFactorSeries.Options(source: "electricitymaps", version: "2024")

    func factors(_ records: [RawRecord]) -> [EmissionFactor] {
        records.compactMap { record in
            guard record.framingError == nil, case .success(let factor) = RecordValidator.factor(record.json, grids: ["DE", "FR"]) else { return nil }
            return factor
        }
    }

    @Test func anElectricityMapsExportWithItsColumnNames() throws {
        let csv = """
            Datetime (UTC),Country,Zone Name,Zone Id,Carbon Intensity gCO₂eq/kWh (direct),Carbon Intensity gCO₂eq/kWh (LCA),Renewable Percentage
            2024-03-01 00:00:00,Germany,Germany,DE,380.5,420,40
            2024-03-01 01:00:00,Germany,Germany,DE,360,400,42

            """
        let records = try HourlyFactorSeries.records(in: Data(csv.utf8), format: .csv, options: Self.options)
        let parsed = factors(records)
        #expect(parsed.count == 2)
        let first = try #require(parsed.first)
        // The direct intensity, in kg per kWh; one hour of validity; named by activity, zone and hour.
        #expect(first.factor == "electricity.DE.2024-03-01T00" && first.region == "DE" && first.activity == "electricity")
        #expect(abs(first.value - 0.3805) < 1e-12)
        #expect(first.validFrom == Timestamp.parse("2024-03-01T00:00:00Z") && first.validTo == Timestamp.parse("2024-03-01T01:00:00Z"))
        #expect(first.source == "electricitymaps" && first.version == "2024")
    }

    @Test func ndjsonWithAGivenUnitAndTheResidualMix() throws {
        let ndjson = """
            {"zone":"FR","datetime":"2024-03-01T05:00:00Z","carbon_intensity":0.05}
            {"zone":"FR","datetime":"2024-03-01T07:00:00+01:00","carbon_intensity":0.06}

            """
        let options = HourlyFactorSeries.Options(activity: "residual_electricity", source: "aib", unit: "kgCO2e/kWh")
        let parsed = factors(try HourlyFactorSeries.records(in: Data(ndjson.utf8), format: .ndjson, options: options))
        // Times with an offset are read in UTC: 07:00+01:00 is 06:00Z.
        #expect(parsed.map(\.factor) == ["residual_electricity.FR.2024-03-01T05", "residual_electricity.FR.2024-03-01T06"])
        #expect(parsed.map(\.value) == [0.05, 0.06])
    }

    @Test func eachBadRowIsNamedByItsLineAndTheOthersKept() throws {
        let csv = """
            timestamp,zone,carbon_intensity
            2024-03-01T00:00:00Z,DE,300
            2024-03-01T00:30:00Z,DE,300
            2024-03-01T01:00:00Z,DE,-5
            2024-03-01T02:00:00Z,DE,nan
            2024-03-01T00:00:00Z,DE,310
            2024-03-01T00:00:00Z,DE,300
            2024-03-01T03:00:00Z,,300
            yesterday,DE,300
            2024-03-01T04:00:00Z,XX,300

            """
        let options = HourlyFactorSeries.Options(source: "watttime", unit: "gCO2e/kWh")
        let records = try HourlyFactorSeries.records(in: Data(csv.utf8), format: .csv, options: options)
        let failures = records.compactMap(\.framingError)
        #expect(failures.count == 6, "\(failures)")
        #expect(failures.contains { $0.hasPrefix("line 3:") && $0.contains("not on the hour") })
        #expect(failures.contains { $0.hasPrefix("line 4:") && $0.contains("finite number ≥ 0") })
        #expect(failures.contains { $0.hasPrefix("line 5:") && $0.contains("finite number ≥ 0") })
        #expect(failures.contains { $0.hasPrefix("line 6:") && $0.contains("already given on line 2 with another value") })
        #expect(failures.contains { $0.hasPrefix("line 8:") && $0.contains("zone is required") })
        #expect(failures.contains { $0.hasPrefix("line 9:") && $0.contains("expected a time") })
        // The same hour with the same value is a repeat, not an error; a zone no site is in is
        // refused by the factor check, naming the zone.
        let valid = records.filter { $0.framingError == nil }
        #expect(valid.map(\.position) == [2, 7, 10])
        if case .failure(let rejection) = RecordValidator.factor(valid[2].json, grids: ["DE"]) {
            #expect(rejection.field == "zone" && rejection.reason.contains(#"unknown zone "XX""#))
        } else {
            Issue.record("a zone no site is in was accepted")
        }
    }

    @Test func aRowWithARepeatedKeyIsRefusedNamingIt() throws {
        // Which zone would the row be? Neither: the row is refused, the others kept.
        let ndjson = """
            {"zone":"FR","datetime":"2024-03-01T05:00:00Z","carbon_intensity":50}
            {"zone":"FR","zone":"DE","datetime":"2024-03-01T06:00:00Z","carbon_intensity":60}
            {"zone":"FR","datetime":"2024-03-01T07:00:00Z","carbon_intensity":70,"carbon_intensity":0}

            """
        let options = HourlyFactorSeries.Options(source: "electricitymaps", unit: "gCO2e/kWh")
        let records = try HourlyFactorSeries.records(in: Data(ndjson.utf8), format: .ndjson, options: options)
        let failures = records.compactMap(\.framingError)
        #expect(failures == [
            "line 2: zone: the key appears twice in the row; send it once",
            "line 3: carbon_intensity: the key appears twice in the row; send it once",
        ])
        #expect(records.filter { $0.framingError == nil }.map(\.position) == [1])
    }

    @Test func aFileWithoutTheNeededColumnsIsRefusedWhole() {
        #expect(throws: HourlyFactorSeries.Invalid.self) {
            try HourlyFactorSeries.records(in: Data("zone,value\nDE,1\n".utf8), format: .csv, options: Self.options)
        }
        // A value column that does not say its unit needs one given.
        #expect(throws: HourlyFactorSeries.Invalid.self) {
            try HourlyFactorSeries.records(in: Data("time,zone,value\n2024-03-01T00:00:00Z,DE,1\n".utf8), format: .csv, options: Self.options)
        }
        #expect(throws: HourlyFactorSeries.Invalid.self) {
            try HourlyFactorSeries.records(
                in: Data("time,zone,value\n2024-03-01T00:00:00Z,DE,1\n".utf8), format: .csv,
                options: HourlyFactorSeries.Options(activity: "diesel", source: "x", unit: "gCO2e/kWh"))
        }
    }
}
