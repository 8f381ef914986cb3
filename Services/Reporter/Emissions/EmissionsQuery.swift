import CarbonModel
import Foundation

/// A request for emissions from the ledger: which layer, grouped by which dimensions, over
/// which months, filtered how. Parsed from query parameters, with errors that name the parameter.
struct EmissionsQuery: Sendable {
    enum Layer: String, CaseIterable, Sendable {
        /// Customer layer: (tenant, product, region, month).
        case tenant
        /// Product layer per region: (product, region, month), with what tenants were not allocated.
        case product
        /// Product layer per site: (product, site, region, month).
        case productSite = "product_site"
        /// Data-center layer: (site, region, month), with what products were not allocated.
        case site

        var dimensions: [Dimension] {
            switch self {
            case .tenant: return [.tenant, .product, .region, .month]
            case .product: return [.product, .region, .month]
            case .productSite: return [.product, .site, .region, .month]
            case .site: return [.site, .region, .month]
            }
        }

        var hasUnallocated: Bool { self == .product || self == .site }
        var hasUsage: Bool { self == .product || self == .tenant }
    }

    enum Dimension: String, CaseIterable, Sendable {
        case tenant, product, region, site, month
    }

    enum Format: String, Sendable { case json, csv }

    /// The time grain of the rows: the month (the default), or each UTC day or hour.
    enum Granularity: String, Sendable {
        case month, day, hour
    }

    var layer: Layer
    var groupBy: [Dimension]
    var from: CalendarMonth?
    var to: CalendarMonth?
    var filters: [Dimension: String]
    /// Only rows of this mode; nil = both, in separate rows (never summed together).
    var mode: ResultMode?
    var granularity: Granularity = .month
    var format: Format
    /// Answer from the versions in force at this instant (epoch milliseconds) instead of the
    /// latest: restated region-months show the figures they had then.
    var asOf: Int64? = nil

    struct Invalid: Error, Sendable {
        var parameter: String
        var message: String
    }

    static func parse(_ parameters: [String: String], accept: String?) throws(Invalid) -> EmissionsQuery {
        var groupBy: [Dimension] = []
        if let text = parameters["group_by"], !text.isEmpty {
            for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let dimension = Dimension(rawValue: name) else {
                    throw Invalid(parameter: "group_by", message: "unknown dimension \"\(name)\"; use tenant, product, region, site or month")
                }
                if !groupBy.contains(dimension) { groupBy.append(dimension) }
            }
        }
        var filters: [Dimension: String] = [:]
        for dimension in [Dimension.tenant, .product, .region, .site] {
            if let value = parameters[dimension.rawValue], !value.isEmpty { filters[dimension] = value }
        }
        let layer: Layer
        if let text = parameters["layer"], !text.isEmpty {
            guard let parsed = Layer(rawValue: text) else {
                throw Invalid(parameter: "layer", message: "unknown layer \"\(text)\"; use tenant, product, product_site or site")
            }
            layer = parsed
        } else {
            let wanted = Set(groupBy).union(filters.keys)
            if wanted.contains(.tenant) {
                layer = .tenant
            } else if wanted.contains(.product) && wanted.contains(.site) {
                layer = .productSite
            } else if wanted.contains(.product) {
                layer = .product
            } else {
                layer = .site
            }
        }
        for dimension in groupBy + Array(filters.keys) where !layer.dimensions.contains(dimension) {
            throw Invalid(
                parameter: groupBy.contains(dimension) ? "group_by" : dimension.rawValue,
                message: "the \(layer.rawValue) layer has no \(dimension.rawValue); it has \(layer.dimensions.map(\.rawValue).joined(separator: ", "))")
        }
        if groupBy.isEmpty { groupBy = layer.dimensions }
        var mode: ResultMode?
        if let text = parameters["mode"], !text.isEmpty {
            guard let parsed = ResultMode(rawValue: text) else { throw Invalid(parameter: "mode", message: "use measured or estimated") }
            mode = parsed
        }
        let from = try month(parameters["from"], name: "from")
        let to = try month(parameters["to"], name: "to")
        if let from, let to, to < from { throw Invalid(parameter: "to", message: "\"to\" (\(to)) is before \"from\" (\(from))") }
        let format: Format
        if let text = parameters["format"], !text.isEmpty {
            guard let parsed = Format(rawValue: text) else { throw Invalid(parameter: "format", message: "use json or csv") }
            format = parsed
        } else {
            format = accept?.contains("text/csv") == true ? .csv : .json
        }
        var granularity = Granularity.month
        if let text = parameters["granularity"], !text.isEmpty {
            guard let parsed = Granularity(rawValue: text) else { throw Invalid(parameter: "granularity", message: "use month, day or hour") }
            granularity = parsed
        }
        var asOf: Int64?
        if let text = parameters["as_of"], !text.isEmpty {
            guard let parsed = InstantParser.milliseconds(text) else {
                throw Invalid(parameter: "as_of", message: "expected an RFC 3339 time like 2024-02-01T00:00:00Z, got \"\(text)\"")
            }
            // Superseded versions are kept by month; hourly rows only for the current version.
            guard granularity == .month else { throw Invalid(parameter: "as_of", message: "as_of is answered by month only (granularity=month)") }
            asOf = parsed
        }
        return EmissionsQuery(
            layer: layer, groupBy: groupBy, from: from, to: to, filters: filters, mode: mode, granularity: granularity, format: format,
            asOf: asOf)
    }

    /// Accepts `YYYY-MM`, or a date/time whose month is meant.
    private static func month(_ text: String?, name: String) throws(Invalid) -> CalendarMonth? {
        guard let text, !text.isEmpty else { return nil }
        if let month = CalendarMonth(text) { return month }
        if text.count >= 10, let month = CalendarMonth(text.prefix(7)), text.dropFirst(7).first == "-" { return month }
        throw Invalid(parameter: name, message: "expected a month like 2024-01 (inclusive), got \"\(text)\"")
    }
}
