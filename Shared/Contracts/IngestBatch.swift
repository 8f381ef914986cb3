import CarbonModel
import RecordParsing
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
    private static let framingErrorPrefix = Data(#"{"$framing_error""#.utf8)
    private static let rawPrefix = Data(#"{"$raw""#.utf8)

    /// Throws only if Foundation cannot encode the meta line or a framing failure, which would
    /// be a bug: a batch is never sent with a placeholder in their place.
    public static func encode(meta: IngestBatchMeta, records: [RawRecord]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = try encoder.encode(meta)
        out.reserveCapacity(records.reduce(out.count) { $0 + $1.json.count + 1 })
        for record in records {
            out.append(UInt8(ascii: "\n"))
            if let error = record.framingError {
                let failure = FramingFailure(error: error, raw: String(decoding: record.json, as: UTF8.self))
                out.append(try encoder.encode(failure))
            } else {
                // Line breaks inside a JSON value can only be whitespace between tokens.
                if ByteLines.contains(0x0A, in: record.json) || ByteLines.contains(0x0D, in: record.json) {
                    out.append(contentsOf: record.json.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 })
                } else {
                    out.append(record.json)
                }
            }
        }
        return out
    }

    /// Splits a body into its meta line and record lines; throws, saying why, when there is no
    /// meta line or it is not an `IngestBatchMeta` (the preprocessor quarantines the whole body
    /// with that reason).
    public static func decode(_ body: Data) throws(IngestBatchError) -> (meta: IngestBatchMeta, records: [Data]) {
        var lines = ByteLines.split(body)
        guard let first = lines.first, !first.isEmpty else { throw .noMetaLine }
        lines.removeFirst()
        do {
            return (try JSONDecoder().decode(IngestBatchMeta.self, from: first), lines)
        } catch {
            throw .unreadableMeta(reason: "\(error)")
        }
    }

    /// If `record` is a framing failure line, the error and the original text.
    public static func framingFailure(in record: Data) -> FramingFailure? {
        // Only the collector writes `{"$…` lines: a record's own first key is never `$`-prefixed
        // there, so one byte comparison spares the common case the two prefix checks.
        guard record.count > 2, record[record.startIndex + 2] == UInt8(ascii: "$") else { return nil }
        guard record.starts(with: framingErrorPrefix) || record.starts(with: rawPrefix) else { return nil }
        // A line that only starts like a framing failure is a record like any other: validation
        // rejects it with its own reason, so the decoding error has nothing to add.
        return try? JSONDecoder().decode(FramingFailure.self, from: record)
    }
}

/// Why the body of an `ingest.batch.v1` message could not be read as a batch.
public enum IngestBatchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The body is empty or its first line is: there is no meta line.
    case noMetaLine
    /// The first line is not an `IngestBatchMeta`; `reason` is the decoder's.
    case unreadableMeta(reason: String)

    public var description: String {
        switch self {
        case .noMetaLine: "the batch has no meta line (its body or first line is empty)"
        case .unreadableMeta(let reason): "the batch's meta line (its first) is not a batch meta: \(reason)"
        }
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
