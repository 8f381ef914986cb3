import CarbonModel
import Foundation

/// A time series of grid carbon intensity — one row per zone and hour, as grid-data services
/// export it (a CSV with a timestamp, a zone and an intensity in gCO2e/kWh or kgCO2e/kWh, or
/// NDJSON objects) — turned into factor declarations of one-hour validity (docs/model.md §5),
/// one per zone and hour, named `<activity>.<zone>.<YYYY-MM-DDTHH>`.
///
/// A row that cannot be a factor (a time not on the hour, a negative or non-finite intensity,
/// an hour given twice with another value) becomes a framing failure naming its line, so it
/// is quarantined and the other rows go on. Each factor is marked as part of a series, so the
/// preprocessor also checks that its zone is the grid of a declared site.
public enum HourlyFactorSeries {
    /// How the rows become factors.
    public struct Options: Sendable {
        /// `electricity` (location-based) or `residual_electricity` (the residual mix).
        public var activity: String
        public var source: String
        public var version: String
        /// The intensity's unit when no column name says it (e.g. `gCO2e/kWh`).
        public var unit: String?

        public init(activity: String = "electricity", source: String, version: String = "1", unit: String? = nil) {
            self.activity = activity
            self.source = source
            self.version = version
            self.unit = unit
        }
    }

    /// Why a whole file cannot be read (nothing of it is stored).
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The factor records of `body` (CSV with a header row, or NDJSON), in order, with a framing
    /// failure in place of each row that cannot be a factor.
    public static func records(in body: Data, format: BatchFormat, options: Options) throws(Invalid) -> [RawRecord] {
        guard options.activity == "electricity" || options.activity == "residual_electricity" else {
            throw Invalid(description: "activity: use electricity or residual_electricity (got \"\(options.activity)\")")
        }
        guard !options.source.isEmpty else { throw Invalid(description: "source: required (who published the series, e.g. electricitymaps)") }
        let framed: [RawRecord]
        do { framed = try BatchFraming.records(in: body, format: format) } catch {
            throw Invalid(description: "could not read the \(format.rawValue) body: \(error)")
        }
        guard let first = framed.first(where: { $0.framingError == nil }).flatMap({ FlatJSONObject($0.json) }) else {
            throw Invalid(description: "the body holds no rows")
        }
        let columns = try Columns(keys: first.members.keys.sorted(), unit: options.unit)
        var seen: [String: (line: Int, value: Double)] = [:]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out: [RawRecord] = []
        out.reserveCapacity(framed.count)
        for record in framed {
            if record.framingError != nil {
                out.append(record)
                continue
            }
            let where_ = "line \(record.position)"
            func failure(_ message: String) -> RawRecord {
                RawRecord(position: record.position, json: record.json, framingError: "\(where_): \(message)")
            }
            // A row that names its zone (or hour, or value) twice would be read as one of them,
            // whichever the reader keeps: refused, as records are.
            if let key = JSONDuplicateKey.first(in: record.json) {
                out.append(failure("\(key): the key appears twice in the row; send it once"))
                continue
            }
            guard let object = FlatJSONObject(record.json) else {
                out.append(failure("not a flat object of strings and numbers"))
                continue
            }
            guard case .string(let zone)? = object[columns.zone], !zone.trimmingCharacters(in: .whitespaces).isEmpty else {
                out.append(failure("\(columns.zone): a zone is required"))
                continue
            }
            guard case .string(let timeText)? = object[columns.time], let hour = columns.parseTime(timeText) else {
                out.append(failure("\(columns.time): expected a time like 2024-01-01T05:00:00Z\(columns.utc ? " or 2024-01-01 05:00:00" : "")"))
                continue
            }
            guard hour % 3600 == 0 else {
                out.append(failure("\(columns.time): \(Timestamp.format(hour)) is not on the hour; each row is one whole hour"))
                continue
            }
            let value: Double?
            switch object[columns.value] {
            case .number(let number, _)?: value = number
            case .string(let text)?: value = Double(text.trimmingCharacters(in: .whitespaces))
            default: value = nil
            }
            guard let value, value.isFinite, value >= 0 else {
                out.append(failure("\(columns.value): the intensity must be a finite number ≥ 0"))
                continue
            }
            let key = "\(zone)\u{1F}\(hour)"
            if let earlier = seen[key] {
                if earlier.value != value {
                    out.append(
                        failure("zone \(zone), hour \(Timestamp.format(hour)) is already given on line \(earlier.line) with another value (\(earlier.value))"))
                    continue
                }
            } else {
                seen[key] = (record.position, value)
            }
            let hourText = Timestamp.format(hour)
            let factor = FactorLine(
                factor: "\(options.activity).\(zone).\(hourText.prefix(13))", activity: options.activity, region: zone, value: value,
                unit: columns.unit, validFrom: hourText, validTo: Timestamp.format(hour + 3600), source: options.source,
                version: options.version)
            let json: Data
            do { json = try encoder.encode(factor) } catch {
                out.append(failure("could not be written as a factor: \(error)"))
                continue
            }
            out.append(RawRecord(position: record.position, json: json))
        }
        return out
    }

    /// One factor declaration of the series, as the factor validator reads it.
    struct FactorLine: Encodable {
        var factor, activity, region: String
        var value: Double
        var unit, validFrom, validTo, source, version: String
        var series = "hourly"

        enum CodingKeys: String, CodingKey {
            case factor, activity, region, value, unit, source, version, series
            case validFrom = "valid_from", validTo = "valid_to"
        }
    }

    /// Which columns hold the time, the zone and the intensity, and the intensity's unit.
    struct Columns {
        var time: String
        var zone: String
        var value: String
        var unit: String
        /// The time column says UTC, so times without a zone are UTC.
        var utc: Bool

        init(keys: [String], unit given: String?) throws(Invalid) {
            func find(_ names: [String]) -> String? {
                names.lazy.compactMap { name in keys.first { $0.lowercased().trimmingCharacters(in: .whitespaces) == name } }.first
            }
            guard let time = find(["datetime (utc)", "datetime", "timestamp", "point_time", "time", "hour"]) else {
                throw Invalid(description: "no time column: name one datetime, timestamp, point_time or time (columns: \(keys.joined(separator: ", ")))")
            }
            guard let zone = find(["zone id", "zone_id", "zone", "grid", "region", "ba"]) else {
                throw Invalid(description: "no zone column: name one zone, zone_id, grid or region (columns: \(keys.joined(separator: ", ")))")
            }
            // A column whose name carries the unit (Electricity Maps: "Carbon Intensity gCO₂eq/kWh (direct)"):
            // the direct (combustion) intensity is what location-based scope 2 takes.
            let lowered = keys.map { ($0, $0.lowercased().replacingOccurrences(of: "₂", with: "2")) }
            let withUnit = lowered.filter { $0.1.contains("co2") && $0.1.contains("/kwh") }
            let chosen = withUnit.first { $0.1.contains("direct") } ?? withUnit.first
            if let (column, name) = chosen {
                self.value = column
                self.unit = name.contains("kgco2") ? "kgCO2e/kWh" : "gCO2e/kWh"
            } else if let column = find(["carbon_intensity", "carbonintensity", "carbon intensity", "intensity", "value"]) {
                guard let given, !given.isEmpty else {
                    throw Invalid(description: "unit: the column \(column) does not say its unit; give one, e.g. unit=gCO2e/kWh")
                }
                self.value = column
                self.unit = given
            } else {
                throw Invalid(description: "no intensity column: name one carbon_intensity or value, or one whose name says gCO2eq/kWh (columns: \(keys.joined(separator: ", ")))")
            }
            if let given, !given.isEmpty { self.unit = given }
            self.time = time
            self.zone = zone
            self.utc = time.lowercased().contains("utc")
        }

        /// The time as epoch seconds; a time without a zone only when the column says UTC.
        func parseTime(_ text: String) -> Int64? {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if let parsed = Timestamp.parse(trimmed) { return parsed }
            return utc ? Timestamp.parse(trimmed + "Z") : nil
        }
    }
}
