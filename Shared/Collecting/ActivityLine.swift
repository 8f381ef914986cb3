import Foundation

/// An activity record (docs/model.md §3) as a compiled-in source writes it: one JSON object on one NDJSON
/// line, keys sorted so the same record is always the same bytes (an exact repeat, not a revision).
public struct ActivityLine: Sendable, Hashable, Codable {
    public var source: String
    public var id: String
    public var kind: String
    public var start: String
    public var end: String
    public var value: Double
    public var unit: String
    public var site: String?
    public var region: String?
    public var product: String?
    public var tenant: String?
    public var resource: String?
    /// Estimation details (docs/model.md §15): the cloud provider, what the usage measures, and
    /// optionally the processor family.
    public var provider: String?
    public var resourceType: String?
    public var processor: String?
    public var tags: [String: String]?

    enum CodingKeys: String, CodingKey {
        case source, id, kind, start, end, value, unit, site, region, product, tenant, resource, provider, processor, tags
        case resourceType = "resource_type"
    }

    public init(
        source: String, id: String, kind: String, start: String, end: String, value: Double, unit: String, site: String? = nil,
        region: String? = nil, product: String? = nil, tenant: String? = nil, resource: String? = nil, provider: String? = nil,
        resourceType: String? = nil, processor: String? = nil, tags: [String: String]? = nil
    ) {
        self.source = source
        self.id = id
        self.kind = kind
        self.start = start
        self.end = end
        self.value = value
        self.unit = unit
        self.site = site
        self.region = region
        self.product = product
        self.tenant = tenant
        self.resource = resource
        self.provider = provider
        self.resourceType = resourceType
        self.processor = processor
        self.tags = tags
    }

    /// The record as one line of JSON (no line break). A `value` that is not finite (a scaled
    /// overflow, a NaN in a scrape) is written as the string `"NaN"` or `"Infinity"`, so the
    /// preprocessor rejects the record naming it instead of it becoming an empty object.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        // Strings and one number written even when not finite: nothing here can fail to encode,
        // and the empty object is never reached.
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
