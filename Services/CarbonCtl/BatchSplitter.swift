import Foundation

/// A slice of a file sent as one batch: its body and how to map the collector's positions
/// (lines within the batch, or indexes in a JSON array) back to the file.
struct FileBatch: Sendable {
    var body: Data
    var contentType: String
    var records: Int
    /// File line of the batch's first line (NDJSON) or first data row (CSV).
    var firstLine: Int
    /// Lines the batch starts with that are not records (the CSV header), counted in the
    /// collector's line numbers.
    var headerLines: Int
    /// Index in the file's JSON array of the batch's first element.
    var firstIndex: Int

    /// Where a record the collector names lies in the file, e.g. "line 7" or "record 12".
    func filePosition(line: Int?, index: Int?) -> String {
        if let line { return "line \(firstLine + line - headerLines - 1)" }
        if let index { return "record \(firstIndex + index + 1)" }
        return contentType == "application/json" ? "batch from record \(firstIndex + 1)" : "batch from line \(firstLine)"
    }
}

/// Cuts an NDJSON, CSV or JSON-array file into batches of at most `size` records, keeping the
/// original bytes of every NDJSON line and CSV row (so the collector sees exactly what the
/// file holds, and its line numbers map back to the file's by an offset).
enum BatchSplitter {
    enum Format: String, Sendable { case ndjson, csv, json }

    static func format(of url: URL, data: Data) -> Format {
        switch url.pathExtension.lowercased() {
        case "csv": return .csv
        case "ndjson", "jsonl": return .ndjson
        case "json":
            return data.first(where: { !isSpace($0) }) == UInt8(ascii: "[") ? .json : .ndjson
        default:
            guard let first = data.first(where: { !isSpace($0) }) else { return .ndjson }
            if first == UInt8(ascii: "[") { return .json }
            return first == UInt8(ascii: "{") ? .ndjson : .csv
        }
    }

    static func split(_ data: Data, format: Format, size: Int) throws -> [FileBatch] {
        switch format {
        case .ndjson: return splitNDJSON(data, size: size)
        case .csv: return splitCSV(data, size: size)
        case .json: return try splitJSON(data, size: size)
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// Lines of `data` as byte ranges (without the newline), splitting only at newlines outside
    /// double quotes when `quoted` (a CSV field may hold a newline).
    private static func lines(_ data: [UInt8], quoted: Bool) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        var inQuotes = false
        for (offset, byte) in data.enumerated() {
            if quoted, byte == UInt8(ascii: "\"") { inQuotes.toggle() }
            if byte == 0x0A, !inQuotes {
                result.append(start..<offset)
                start = offset + 1
            }
        }
        if start < data.count { result.append(start..<data.count) }
        return result
    }

    /// Physical lines a range spans (a quoted CSV row may span several).
    private static func newlines(in bytes: ArraySlice<UInt8>) -> Int { bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }

    private static func isBlank(_ bytes: ArraySlice<UInt8>) -> Bool { bytes.allSatisfy(isSpace) }

    private static func splitNDJSON(_ data: Data, size: Int) -> [FileBatch] {
        let bytes = [UInt8](data)
        var batches: [FileBatch] = []
        var current: [Range<Int>] = []
        var currentFirstLine = 1
        var records = 0
        func flush() {
            guard records > 0, let first = current.first, let last = current.last else { return }
            var body = Data(bytes[first.lowerBound..<last.upperBound])
            body.append(0x0A)
            batches.append(
                FileBatch(
                    body: body, contentType: "application/x-ndjson", records: records, firstLine: currentFirstLine, headerLines: 0,
                    firstIndex: 0))
        }
        for (number, range) in lines(bytes, quoted: false).enumerated() {
            let blank = isBlank(bytes[range])
            if current.isEmpty {
                // A batch starts at its first record, so its line 1 is a record's line.
                if blank { continue }
                currentFirstLine = number + 1
            }
            current.append(range)
            if !blank { records += 1 }
            if records == size {
                flush()
                current = []
                records = 0
            }
        }
        flush()
        return batches
    }

    private static func splitCSV(_ data: Data, size: Int) -> [FileBatch] {
        let bytes = [UInt8](data)
        let rows = lines(bytes, quoted: true)
        guard let headerRange = rows.first else { return [] }
        let header = Data(bytes[headerRange]) + Data([0x0A])
        let headerLines = 1 + newlines(in: bytes[headerRange])
        var batches: [FileBatch] = []
        var line = headerLines + 1
        var body = Data()
        var records = 0
        var firstLine = line
        for range in rows.dropFirst() {
            let span = 1 + newlines(in: bytes[range])
            defer { line += span }
            if isBlank(bytes[range]) { continue }
            if records == 0 {
                body = header
                firstLine = line
            } else {
                // Blank lines skipped inside a batch would shift its line numbers: keep them as
                // empty lines, which the collector skips too.
                let expected = firstLine + recordsSpan(body, headerLines: headerLines)
                if line > expected { body.append(contentsOf: [UInt8](repeating: 0x0A, count: line - expected)) }
            }
            body.append(contentsOf: bytes[range])
            body.append(0x0A)
            records += 1
            if records == size {
                batches.append(
                    FileBatch(body: body, contentType: "text/csv", records: records, firstLine: firstLine, headerLines: headerLines, firstIndex: 0))
                records = 0
            }
        }
        if records > 0 {
            batches.append(
                FileBatch(body: body, contentType: "text/csv", records: records, firstLine: firstLine, headerLines: headerLines, firstIndex: 0))
        }
        return batches
    }

    /// Lines of a CSV batch body after its header.
    private static func recordsSpan(_ body: Data, headerLines: Int) -> Int {
        body.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } - headerLines
    }

    private static func splitJSON(_ data: Data, size: Int) throws -> [FileBatch] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw CtlError.usage("not valid JSON: \(error.localizedDescription)")
        }
        let elements = (parsed as? [Any]) ?? [parsed]
        var batches: [FileBatch] = []
        var start = 0
        while start < elements.count {
            let chunk = Array(elements[start..<min(start + size, elements.count)])
            let body = try JSONSerialization.data(withJSONObject: chunk, options: [.fragmentsAllowed])
            batches.append(
                FileBatch(body: body, contentType: "application/json", records: chunk.count, firstLine: 1, headerLines: 0, firstIndex: start))
            start += size
        }
        return batches
    }
}
