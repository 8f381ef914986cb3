import Foundation
import CarbonModel

/// The bytes of a normalized record: the canonical encoding (sorted keys, no revision: what
/// deduplication compares), the wire encoding between services, and the fast reader that
/// decodes them without `JSONDecoder` on the hot path (falling back to it, which names what is
/// wrong, when a record is not of the flat shape).
extension NormalizedRecord {
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
    public init?(flat object: FlatJSONObject) {
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
                owner: try object.string("owner").get(), profile: try object.string("profile").get())
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
        string("profile", profile)
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
