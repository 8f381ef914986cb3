import CarbonModel
import Foundation
import RecordParsing

/// What a billing export file became: an NDJSON batch whose line N holds the record made from
/// the file's line N (other lines blank), so that the batch verdict's and the quarantine's line
/// numbers are the export's own; and a summary of what was left out and why.
public struct BillingConversion: Sendable {
    public var body: Data
    /// Lines in `body` that carry something: usage records, and rows that could not be converted
    /// (sent as framing failures, so the preprocessor rejects and quarantines them with the reason).
    public var records: Int
    public var summary: BillingConversionSummary
}

/// Turns a billing export (CSV) held in memory into usage records with a `BillingMapping`: the
/// same `CSVRowReader`, `BillingRowConverter` and `BillingChunk` the collector streams large
/// exports through, on one chunk. Pure: bytes in, bytes out. A row that cannot be converted
/// does not stop the file: it travels as a framing failure naming its line, column and value,
/// and is quarantined by the preprocessor. Usage rows with the same identity are one record,
/// their amounts summed, on the line of the first.
public enum BillingExportConversion {
    public static func convert(_ body: Data, format: BillingExportFormat, mapping: BillingMapping, source: String)
        throws(BatchFramingError) -> BillingConversion
    {
        var reader = CSVRowReader()
        reader.append([UInt8](body))
        reader.finish()
        guard reader.next() == .row else { throw BatchFramingError("empty CSV body: expected a header row") }
        var converter: BillingRowConverter
        do { converter = try BillingRowConverter(format: format, mapping: mapping, source: source, header: reader.row) } catch {
            throw BatchFramingError(error.message)
        }
        var chunk = BillingChunk(format: format)
        while reader.next() == .row {
            let outcome = converter.convert(reader.row) { chunk.holds($0) }
            chunk.add(outcome, line: reader.row.line, position: converter.position(reader.row.line)) { reader.rawText() }
        }
        chunk.summary.usageRecords = chunk.entries.count
        var lines: [(position: Int, text: String)] = chunk.entries.map { ($0.line, $0.record.json()) }
        lines += chunk.failures.map { ($0.line, failure($0.message, raw: $0.raw)) }
        lines.sort { $0.position < $1.position }
        var out = ""
        var next = 1
        for (position, text) in lines {
            // Blank lines keep each record on its export line; NDJSON framing skips them.
            out += String(repeating: "\n", count: max(0, position - next)) + text + "\n"
            next = position + 1
        }
        return BillingConversion(body: Data(out.utf8), records: lines.count, summary: chunk.summary)
    }

    /// A row sent on as a framing failure (`FramingFailure`'s shape): the preprocessor rejects it
    /// with `error` and keeps `raw`.
    public static func failure(_ error: String, raw: String) -> String {
        let encoder = JSONEncoder()
        // Sorted keys put `$framing_error` first, which is how the preprocessor recognises it.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Two strings always encode: the empty object is never reached.
        let data = (try? encoder.encode(["$framing_error": error, "$raw": raw])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
