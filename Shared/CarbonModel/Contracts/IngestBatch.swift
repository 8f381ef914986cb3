import Foundation

/// The first line of an ingest batch: which batch, what it holds, and where each record came from.
public struct IngestBatchMeta: Codable, Sendable, Hashable {
    public var batch: String
    public var entity: IngestEntity
    public var format: BatchFormat
    /// For each record, its line (NDJSON, CSV) or index (JSON array) in the body as received.
    public var positions: [Int]
    /// The tenant whose credentials sent the batch; nil when the provider (or an unauthenticated
    /// suite) sent it. Lets a tenant see its own quarantined records and no one else's.
    public var tenant: String?

    public init(batch: String, entity: IngestEntity, format: BatchFormat, positions: [Int], tenant: String? = nil) {
        self.batch = batch
        self.entity = entity
        self.format = format
        self.positions = positions
        self.tenant = tenant
    }
}

/// The body of an `ingest.batch.v1` message from the collector to the preprocessor: NDJSON
/// whose first line is `IngestBatchMeta` and whose other lines are the records exactly as
/// received (so the preprocessor decodes each record once). A record the collector could not
/// frame travels as `{"$framing_error": …, "$raw": …}` so that it is quarantined, not lost.
public enum IngestBatch {
    public static let messageType = "ingest.batch.v1"

    public static func encode(meta: IngestBatchMeta, records: [RawRecord]) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = (try? encoder.encode(meta)) ?? Data("{}".utf8)
        out.reserveCapacity(records.reduce(out.count) { $0 + $1.json.count + 1 })
        for record in records {
            out.append(UInt8(ascii: "\n"))
            if let error = record.framingError {
                let failure = FramingFailure(error: error, raw: String(decoding: record.json, as: UTF8.self))
                out.append((try? encoder.encode(failure)) ?? Data("{}".utf8))
            } else {
                // Line breaks inside a JSON value can only be whitespace between tokens.
                if record.json.contains(where: { $0 == 0x0A || $0 == 0x0D }) {
                    out.append(contentsOf: record.json.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 })
                } else {
                    out.append(record.json)
                }
            }
        }
        return out
    }

    /// Splits a body into its meta line and record lines; nil when the meta line is unreadable.
    public static func decode(_ body: Data) -> (meta: IngestBatchMeta, records: [Data])? {
        let lines = lines(of: body)
        guard let first = lines.first, let meta = try? JSONDecoder().decode(IngestBatchMeta.self, from: first) else { return nil }
        return (meta, Array(lines.dropFirst()))
    }

    /// The lines of `body` split at every line feed, empty ones kept (as
    /// `split(separator: 0x0A, omittingEmptySubsequences: false)` gives them), each in its own
    /// `Data`. A plain byte scan: the generic `split` over `Data` cost the preprocessor more
    /// than reading the records themselves.
    static func lines(of body: Data) -> [Data] {
        body.withUnsafeBytes { bytes -> [Data] in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return [Data()] }
            var lines: [Data] = []
            var start = 0
            while let found = memchr(base + start, 0x0A, bytes.count - start) {
                let end = base.distance(to: UnsafeRawPointer(found))
                lines.append(Data(bytes: base + start, count: end - start))
                start = end + 1
            }
            lines.append(Data(bytes: base + start, count: bytes.count - start))
            return lines
        }
    }

    /// If `record` is a framing failure line, the error and the original text.
    public static func framingFailure(in record: Data) -> FramingFailure? {
        // Cheap first test (every failure line starts with `{"$`), as this runs for every record.
        guard record.count >= 3 else { return nil }
        let first = record.startIndex
        guard record[first] == UInt8(ascii: "{"), record[first + 1] == UInt8(ascii: "\""), record[first + 2] == UInt8(ascii: "$") else {
            return nil
        }
        guard record.starts(with: Data(#"{"$framing_error""#.utf8)) || record.starts(with: Data(#"{"$raw""#.utf8)) else { return nil }
        return try? JSONDecoder().decode(FramingFailure.self, from: record)
    }
}

/// A record that could not be framed, as it travels to the preprocessor's quarantine.
public struct FramingFailure: Codable, Sendable, Hashable {
    public var error: String
    public var raw: String

    enum CodingKeys: String, CodingKey {
        case error = "$framing_error"
        case raw = "$raw"
    }
}
