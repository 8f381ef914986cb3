import CarbonModel
import Foundation

/// How a batch of activity records is laid out in an HTTP body (docs/ingest-protocol.md): a JSON array,
/// NDJSON (one object per line) or CSV with a header row.
public enum BatchFormat: String, Sendable, Codable {
    case json, ndjson, csv

    /// The format named by a `Content-Type` header value, or nil when the media type is
    /// missing or not one we accept. Parameters such as `; charset=utf-8` are ignored, and
    /// the comparison is case-insensitive because media types are (RFC 9110 §8.3.1).
    public static func from(contentType: String?) -> BatchFormat? {
        guard let contentType else { return nil }
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
            .first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch mediaType {
        case "application/json": return .json
        case "application/x-ndjson", "application/ndjson", "application/jsonl": return .ndjson
        case "text/csv": return .csv
        default: return nil
        }
    }

    /// Guesses the format from the body itself, for clients that send no usable
    /// `Content-Type`: the first non-whitespace byte `[` means a JSON array, `{` means
    /// NDJSON (a lone object is also valid NDJSON), anything else is taken as a CSV header.
    public static func sniff(_ body: some Collection<UInt8>) -> BatchFormat {
        for byte in body {
            switch byte {
            // Whitespace, plus the UTF-8 byte-order mark (EF BB BF) that Windows tools prepend.
            case 0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF: continue
            case UInt8(ascii: "["): return .json
            case UInt8(ascii: "{"): return .ndjson
            default: return .csv
            }
        }
        return .csv
    }
}
