import CarbonModel
import Foundation

/// A search of the factor library (`GET /v1/factors`): shipped defaults and declared factors
/// together, filtered by activity, region, origin, an instant, and free text. With `activity`,
/// `region` and `at` all given, the answer also marks the one factor the calculator would use
/// (`in_force`), so the precedence rule can be checked from outside.
struct FactorQuery: Sendable {
    var activity: String?
    /// Exact region; `global` asks for factors without a region.
    var region: String?
    var origin: FactorOrigin?
    /// Only factors valid at this instant (epoch seconds).
    var at: Int64?
    /// Case-insensitive substring of id, activity, region or source.
    var text: String?

    struct Invalid: Error, Sendable {
        var parameter: String
        var message: String
    }

    static func parse(_ parameters: [String: String]) throws(Invalid) -> FactorQuery {
        func value(_ name: String) -> String? { parameters[name].flatMap { $0.isEmpty ? nil : $0 } }
        var query = FactorQuery(activity: value("activity"), region: value("region"), text: value("q"))
        if let text = value("origin") {
            guard let origin = FactorOrigin(rawValue: text) else { throw Invalid(parameter: "origin", message: "use declared or default") }
            query.origin = origin
        }
        if let text = value("at") {
            guard let instant = Timestamp.parse(text) else {
                throw Invalid(parameter: "at", message: "expected a date such as 2023-06-01 or an RFC 3339 time, got \"\(text)\"")
            }
            query.at = instant
        }
        return query
    }

    /// The matching factors, sorted by activity, region, validity and id.
    func run(on library: [EmissionFactor]) -> [FactorEntry] {
        let needle = text?.lowercased()
        let matching = library.filter { factor in
            if let activity, factor.activity != activity { return false }
            if let region {
                if region == "global" ? factor.region != nil : factor.region != region { return false }
            }
            if let origin, factor.origin != origin { return false }
            if let at, !(factor.validFrom <= at && at < factor.validTo) { return false }
            if let needle {
                let haystack = [factor.factor, factor.activity, factor.region ?? "", factor.source].joined(separator: "\u{1F}").lowercased()
                if !haystack.contains(needle) { return false }
            }
            return true
        }
        var winner: EmissionFactor?
        if let activity, let region, region != "global", let at {
            winner = FactorResolver(library).factor(activity: activity, region: region, at: at)
        }
        return matching
            .sorted { ($0.activity, $0.region ?? "", $0.validFrom, $0.factor, $0.version) < ($1.activity, $1.region ?? "", $1.validFrom, $1.factor, $1.version) }
            .map { factor in FactorEntry(factor, inForce: winner.map { $0 == factor }) }
    }
}

/// One factor as `GET /v1/factors` shows it: value in kg CO2e per canonical unit (kWh, L, kg),
/// validity as RFC 3339 times.
struct FactorEntry: Encodable, Sendable {
    var factor: String
    var activity: String
    var region: String?
    /// The unit the factor was declared in; `value` is normalized to kg CO2e per canonical unit.
    var declaredUnit: String
    var value: Double
    var validFrom: String
    var validTo: String
    var source: String
    var version: String
    var origin: FactorOrigin
    var inForce: Bool?

    init(_ factor: EmissionFactor, inForce: Bool?) {
        self.factor = factor.factor
        activity = factor.activity
        region = factor.region
        declaredUnit = factor.unit
        value = factor.value
        validFrom = Timestamp.format(factor.validFrom)
        validTo = Timestamp.format(factor.validTo)
        source = factor.source
        version = factor.version
        origin = factor.origin
        self.inForce = inForce
    }

    enum CodingKeys: String, CodingKey {
        case factor, activity, region
        case declaredUnit = "declared_unit"
        case value
        case validFrom = "valid_from"
        case validTo = "valid_to"
        case source, version, origin
        case inForce = "in_force"
    }
}
