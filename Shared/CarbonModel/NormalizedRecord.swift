import Foundation

/// An activity record after validation and normalization: value in integer micro-units of a
/// canonical unit, times as epoch seconds, region resolved. This is what the preprocessor sends
/// the calculator (`activity.normalized.v1`), and what deduplication compares.
public struct NormalizedRecord: Codable, Sendable, Hashable {
    public var source: String
    public var id: String
    /// The tenant whose credentials wrote the record; nil for the provider's records (and for
    /// every record of a suite without authentication). Part of the record's identity: the
    /// record is `(owner, source, id)`, so no one can revise or repeat another owner's record by
    /// reusing its `source` and `id`.
    public var owner: String?
    /// 0 until the preprocessor assigns it (1 for the first version of `(source, id)`).
    /// Excluded from `canonicalEncoding()`, since it is not part of what the sender said.
    public var revision: Int
    public var kind: ActivityKind
    /// Epoch seconds, inclusive.
    public var start: Int64
    /// Epoch seconds, exclusive; for `hardware.embodied`, `start + lifetimeMonths` calendar months.
    public var end: Int64
    /// Micro-units (1e-6) of `unit`, rounded half away from zero. Integers, so that sums,
    /// splits and the subtraction of a revised record are exact.
    public var amount: Int64
    /// The canonical unit (kWh, L, kg, kgCO2e) or, for usage and capacity, the product's
    /// allocation unit.
    public var unit: String
    public var site: String?
    /// Always set: taken from the site when the record names one.
    public var region: String
    public var product: String?
    public var tenant: String?
    /// The fuel (`facility.fuel`) or gas (`facility.refrigerant`) name.
    public var substance: String?
    public var lifetimeMonths: Int?
    public var resource: String?
    public var utilization: Double?
    /// Usage only, estimation mode: the cloud provider (`aws`, `gcp`, `azure`, `ali`).
    public var provider: String?
    /// Usage only, estimation mode: what the value measures (`compute`, `memory`, `ssd`,
    /// `hdd`, `network`); see ``EstimatedResource``.
    public var resourceType: String?
    /// Usage only, estimation mode: the CCF processor family of compute usage.
    public var processor: String?
    /// Usage only, estimation mode: the provider's replication factor (1 when absent).
    public var replication: Double?
    public var tags: [String: String]?

    public init(
        source: String, id: String, revision: Int = 0, kind: ActivityKind, start: Int64, end: Int64, amount: Int64,
        unit: String, site: String? = nil, region: String, product: String? = nil, tenant: String? = nil,
        substance: String? = nil, lifetimeMonths: Int? = nil, resource: String? = nil, utilization: Double? = nil,
        provider: String? = nil, resourceType: String? = nil, processor: String? = nil, replication: Double? = nil,
        tags: [String: String]? = nil, owner: String? = nil
    ) {
        self.source = source
        self.id = id
        self.owner = owner
        self.revision = revision
        self.kind = kind
        self.start = start
        self.end = end
        self.amount = amount
        self.unit = unit
        self.site = site
        self.region = region
        self.product = product
        self.tenant = tenant
        self.substance = substance
        self.lifetimeMonths = lifetimeMonths
        self.resource = resource
        self.utilization = utilization
        self.provider = provider
        self.resourceType = resourceType
        self.processor = processor
        self.replication = replication
        self.tags = tags
    }

    /// The resource details that make a usage record estimable, or nil when it has none.
    public var estimationProfile: EstimationProfile? {
        guard kind == .usage, let provider = provider.flatMap(CloudProvider.init(rawValue:)),
            let resource = resourceType.flatMap(EstimatedResource.init(rawValue:))
        else { return nil }
        return EstimationProfile(
            provider: provider, resource: resource, processor: processor,
            utilization: resource == .compute ? utilization : nil, replication: replication ?? 1)
    }

    /// The value in `unit` as a floating-point number.
    public var value: Double { Double(amount) / 1_000_000 }

    enum CodingKeys: String, CodingKey {
        case source, id, revision, kind, start, end, amount, unit, site, region, product, tenant, substance
        case lifetimeMonths = "lifetime_months"
        case resource, utilization, provider
        case resourceType = "resource_type"
        case processor, replication, tags, owner
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        source = try c.decode(String.self, forKey: .source)
        id = try c.decode(String.self, forKey: .id)
        // Absent from the canonical encoding, which is also stored and decoded.
        revision = try c.decodeIfPresent(Int.self, forKey: .revision) ?? 0
        kind = try c.decode(ActivityKind.self, forKey: .kind)
        start = try c.decode(Int64.self, forKey: .start)
        end = try c.decode(Int64.self, forKey: .end)
        amount = try c.decode(Int64.self, forKey: .amount)
        unit = try c.decode(String.self, forKey: .unit)
        site = try c.decodeIfPresent(String.self, forKey: .site)
        region = try c.decode(String.self, forKey: .region)
        product = try c.decodeIfPresent(String.self, forKey: .product)
        tenant = try c.decodeIfPresent(String.self, forKey: .tenant)
        substance = try c.decodeIfPresent(String.self, forKey: .substance)
        lifetimeMonths = try c.decodeIfPresent(Int.self, forKey: .lifetimeMonths)
        resource = try c.decodeIfPresent(String.self, forKey: .resource)
        utilization = try c.decodeIfPresent(Double.self, forKey: .utilization)
        provider = try c.decodeIfPresent(String.self, forKey: .provider)
        resourceType = try c.decodeIfPresent(String.self, forKey: .resourceType)
        processor = try c.decodeIfPresent(String.self, forKey: .processor)
        replication = try c.decodeIfPresent(Double.self, forKey: .replication)
        tags = try c.decodeIfPresent([String: String].self, forKey: .tags)
        owner = try c.decodeIfPresent(String.self, forKey: .owner)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(id, forKey: .id)
        try c.encode(revision, forKey: .revision)
        try c.encode(kind, forKey: .kind)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encode(amount, forKey: .amount)
        try c.encode(unit, forKey: .unit)
        try c.encodeIfPresent(site, forKey: .site)
        try c.encode(region, forKey: .region)
        try c.encodeIfPresent(product, forKey: .product)
        try c.encodeIfPresent(tenant, forKey: .tenant)
        try c.encodeIfPresent(substance, forKey: .substance)
        try c.encodeIfPresent(lifetimeMonths, forKey: .lifetimeMonths)
        try c.encodeIfPresent(resource, forKey: .resource)
        try c.encodeIfPresent(utilization, forKey: .utilization)
        try c.encodeIfPresent(provider, forKey: .provider)
        try c.encodeIfPresent(resourceType, forKey: .resourceType)
        try c.encodeIfPresent(processor, forKey: .processor)
        try c.encodeIfPresent(replication, forKey: .replication)
        try c.encodeIfPresent(tags, forKey: .tags)
        try c.encodeIfPresent(owner, forKey: .owner)
    }

    /// Deterministic JSON of everything but `revision`: keys sorted, no whitespace, absent
    /// optionals left out, tags sorted by key. Equal bytes mean an exact repeat of `(source, id)`;
    /// different bytes mean a revision. Written by hand rather than with `JSONEncoder` so the
    /// bytes cannot change with a Foundation release (stored encodings are compared with new
    /// ones) and because it runs once per record. It decodes back with `JSONDecoder`.
    public func canonicalEncoding() -> Data {
        Data(encoded(includingRevision: false))
    }

    /// The message form (`activity.normalized.v1`): the canonical encoding with `revision`.
    public func wireEncoding() -> Data {
        Data(encoded(includingRevision: true))
    }

    /// A JSON array of records in their message form, as the preprocessor sends them.
    public static func encodeArray(_ records: [NormalizedRecord]) -> Data {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(records.count * 256)
        for (index, record) in records.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: record.encoded(includingRevision: true))
        }
        out.append(UInt8(ascii: "]"))
        return Data(out)
    }

    /// Decodes a JSON array of records: by the fast reader when every element is a flat object
    /// of the expected types, otherwise with `JSONDecoder` (which also says what is wrong).
    public static func decodeArray(_ data: Data) throws -> [NormalizedRecord] {
        if let objects = FlatJSONObject.array(data) {
            var records: [NormalizedRecord] = []
            records.reserveCapacity(objects.count)
            for object in objects {
                guard let record = NormalizedRecord(flat: object) else { return try JSONDecoder().decode([NormalizedRecord].self, from: data) }
                records.append(record)
            }
            return records
        }
        return try JSONDecoder().decode([NormalizedRecord].self, from: data)
    }

    /// Decodes one record (a canonical or message encoding), fast when it can.
    public static func decode(_ data: Data) throws -> NormalizedRecord {
        if let record = FlatJSONObject(data).flatMap(NormalizedRecord.init(flat:)) { return record }
        return try JSONDecoder().decode(NormalizedRecord.self, from: data)
    }

    /// The record from the fast reader; nil when a field is missing or of another type.
    init?(flat object: FlatJSONObject) {
        do {
            guard let source = try object.string("source").get(), let id = try object.string("id").get(),
                let kindText = try object.string("kind").get(), let kind = ActivityKind(rawValue: kindText),
                let start = try object.integer("start").get(), let end = try object.integer("end").get(),
                let amount = try object.integer("amount").get(), let unit = try object.string("unit").get(),
                let region = try object.string("region").get()
            else { return nil }
            let revision = try object.integer("revision").get() ?? 0
            let lifetime = try object.integer("lifetime_months").get()
            guard let revision = Int(exactly: revision) else { return nil }
            self.init(
                source: source, id: id, revision: revision, kind: kind, start: start, end: end, amount: amount, unit: unit,
                site: try object.string("site").get(), region: region, product: try object.string("product").get(),
                tenant: try object.string("tenant").get(), substance: try object.string("substance").get(),
                lifetimeMonths: lifetime.flatMap { Int(exactly: $0) }, resource: try object.string("resource").get(),
                utilization: try object.number("utilization").get(), provider: try object.string("provider").get(),
                resourceType: try object.string("resource_type").get(), processor: try object.string("processor").get(),
                replication: try object.number("replication").get(), tags: try object.strings("tags").get(),
                owner: try object.string("owner").get())
        } catch {
            return nil
        }
    }

    private func encoded(includingRevision: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        var first = true
        func key(_ name: String) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            Self.appendString(name, to: &out)
            out.append(UInt8(ascii: ":"))
        }
        func string(_ name: String, _ value: String?) {
            guard let value else { return }
            key(name)
            Self.appendString(value, to: &out)
        }
        func integer(_ name: String, _ value: Int64?) {
            guard let value else { return }
            key(name)
            out.append(contentsOf: String(value).utf8)
        }
        func number(_ name: String, _ value: Double?) {
            guard let value else { return }
            key(name)
            // Swift's shortest round-trip form ("0.5", "1e-05") is valid JSON for finite values;
            // the validator admits only finite ones.
            out.append(contentsOf: (value.isFinite ? "\(value)" : "null").utf8)
        }

        // In byte order of the key names.
        integer("amount", amount)
        integer("end", end)
        string("id", id)
        string("kind", kind.rawValue)
        integer("lifetime_months", lifetimeMonths.map(Int64.init))
        string("owner", owner)
        string("processor", processor)
        string("product", product)
        string("provider", provider)
        string("region", region)
        number("replication", replication)
        string("resource", resource)
        string("resource_type", resourceType)
        if includingRevision { integer("revision", Int64(revision)) }
        string("site", site)
        string("source", source)
        integer("start", start)
        string("substance", substance)
        if let tags {
            key("tags")
            out.append(UInt8(ascii: "{"))
            let sorted = tags.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (index, tag) in sorted.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendString(tag.key, to: &out)
                out.append(UInt8(ascii: ":"))
                Self.appendString(tag.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        string("tenant", tenant)
        string("unit", unit)
        number("utilization", utilization)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, the rest as UTF-8.
    private static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Almost every value needs no escaping: copy it whole rather than byte by byte (the
        // per-byte appends showed at the top of the preprocessor's profile).
        let plain = text.utf8.withContiguousStorageIfAvailable { bytes in
            !bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        }
        if plain == true {
            out.append(contentsOf: text.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
