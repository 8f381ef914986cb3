import CarbonModel
import Foundation

/// A body that cannot be split into records at all, so no per-record reply is possible:
/// a JSON body that is not an array or object, an unterminated JSON array, a CSV body
/// without a usable header row. Problems confined to one record are reported on the
/// record instead (`RawRecord.framingError`).
public struct BatchFramingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Human-readable reason, including the line (and byte offset) where it applies.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Splits a batch body into individual records without validating them (the preprocessor
/// does that). Every record becomes the bytes of one JSON object, so downstream code has a
/// single input shape whatever the wire format was.
///
/// Works on raw bytes throughout because batches can hold millions of records; decoding
/// into Foundation objects or `String`s here would dominate the collector's cost.
public enum BatchFraming {
    /// The records in `body`, in body order.
    ///
    /// - json: an array of objects (a single top-level object is a batch of one); elements
    ///   that are not objects are returned with a `framingError`.
    /// - ndjson: one object per non-blank line; lines are only checked to look like an object.
    /// - csv: RFC 4180 with a header row; each row becomes an object keyed by the header
    ///   (`tags.*` columns nest under `tags`, empty cells are omitted, `value`, `utilization`,
    ///   `lifetime_months` and `replication` become numbers when they parse as finite numbers).
    ///
    /// - Throws: `BatchFramingError` when the body as a whole cannot be framed.
    public static func records(in body: Data, format: BatchFormat) throws(BatchFramingError) -> [RawRecord] {
        // `withUnsafeBytes` only rethrows untyped errors, so carry the typed error out in a Result.
        let outcome = body.withUnsafeBytes { raw -> Result<[RawRecord], BatchFramingError> in
            let bytes = raw.assumingMemoryBound(to: UInt8.self)
            return Result { () throws(BatchFramingError) -> [RawRecord] in
                switch format {
                case .json:
                    var scanner = JSONArrayScanner(bytes: bytes)
                    return try scanner.records()
                case .ndjson:
                    return NDJSONSplitter.records(bytes)
                case .csv:
                    var framer = CSVFramer(bytes: bytes)
                    return try framer.records()
                }
            }
        }
        return try outcome.get()
    }
}

// MARK: - Byte helpers

extension UInt8 {
    fileprivate static let quote: UInt8 = 0x22  // "
    fileprivate static let backslash: UInt8 = 0x5C  // \
    fileprivate static let comma: UInt8 = 0x2C  // ,
    fileprivate static let openBrace: UInt8 = 0x7B  // {
    fileprivate static let closeBrace: UInt8 = 0x7D  // }
    fileprivate static let openBracket: UInt8 = 0x5B  // [
    fileprivate static let closeBracket: UInt8 = 0x5D  // ]
    fileprivate static let newline: UInt8 = 0x0A
    fileprivate static let carriageReturn: UInt8 = 0x0D
    fileprivate static let space: UInt8 = 0x20
    fileprivate static let tab: UInt8 = 0x09

    /// JSON insignificant whitespace (RFC 8259 §2).
    fileprivate var isJSONWhitespace: Bool {
        self == .space || self == .tab || self == .newline || self == .carriageReturn
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Index of the first byte after a leading UTF-8 byte-order mark, which Excel and other
    /// Windows tools prepend and which would otherwise corrupt the first record or header.
    fileprivate func afterByteOrderMark() -> Int {
        count >= 3 && self[0] == 0xEF && self[1] == 0xBB && self[2] == 0xBF ? 3 : 0
    }

    /// An owned copy of `start..<end`; records outlive the body buffer.
    fileprivate func data(_ start: Int, _ end: Int) -> Data {
        start < end ? Data(UnsafeBufferPointer(rebasing: self[start..<end])) : Data()
    }

    /// 1-based line number of `offset`, for error messages only (linear, so never on the hot path).
    fileprivate func line(at offset: Int) -> Int {
        var line = 1
        for index in 0..<Swift.min(offset, count) where self[index] == .newline { line += 1 }
        return line
    }

    /// Whether `start..<end` is well-formed UTF-8 (no overlongs, surrogates or values past
    /// U+10FFFF), so the JSON we hand on is always decodable.
    fileprivate func isValidUTF8(_ start: Int, _ end: Int) -> Bool {
        var index = start
        while index < end {
            let lead = self[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var scalar: UInt32
            let minimum: UInt32
            if lead & 0xE0 == 0xC0 {
                (length, scalar, minimum) = (2, UInt32(lead & 0x1F), 0x80)
            } else if lead & 0xF0 == 0xE0 {
                (length, scalar, minimum) = (3, UInt32(lead & 0x0F), 0x800)
            } else if lead & 0xF8 == 0xF0 {
                (length, scalar, minimum) = (4, UInt32(lead & 0x07), 0x10000)
            } else {
                return false
            }
            guard end - index >= length else { return false }
            for offset in 1..<length {
                let next = self[index + offset]
                guard next & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return false }
            index += length
        }
        return true
    }
}

/// A short, printable name for a byte in an error message.
private func describe(_ byte: UInt8) -> String {
    (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
}

// MARK: - JSON arrays

/// Cuts a JSON array into its top-level elements by tracking strings, escapes and bracket
/// nesting. Brackets are matched with a stack rather than a bare depth counter so that a
/// stray `}` cannot silently end the array in the wrong place and misalign every later index.
private struct JSONArrayScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    /// Expected closing brackets of the currently open containers; reused across elements.
    var stack: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        stack.reserveCapacity(16)
    }

    mutating func records() throws(BatchFramingError) -> [RawRecord] {
        let count = bytes.count
        var index = skipWhitespace(from: bytes.afterByteOrderMark())
        guard index < count else { throw BatchFramingError("empty body: expected a JSON array of objects") }
        switch bytes[index] {
        case .openBrace:
            // A single object is a batch of one.
            let start = index
            let (stop, firstValueEnd) = try scanElement(from: start, inArray: false)
            let end = trimEnd(start, stop)
            if firstValueEnd != end {
                throw failure(
                    "unexpected data after the top-level JSON object (for one object per line, "
                        + "send Content-Type: application/x-ndjson)", at: firstValueEnd ?? start)
            }
            return [RawRecord(position: 0, json: bytes.data(start, end))]
        case .openBracket:
            var records: [RawRecord] = []
            let arrayStart = index
            index = skipWhitespace(from: index + 1)
            if index < count, bytes[index] == .closeBracket {
                index += 1
            } else {
                var element = 0
                while true {
                    let start = skipWhitespace(from: index)
                    let (stop, firstValueEnd) = try scanElement(from: start, inArray: true, arrayStart: arrayStart)
                    records.append(record(element, start, trimEnd(start, stop), firstValueEnd))
                    element += 1
                    index = stop + 1
                    if bytes[stop] == .closeBracket { break }
                }
            }
            let rest = skipWhitespace(from: index)
            if rest < count { throw failure("unexpected data after the JSON array", at: rest) }
            return records
        default:
            throw failure(
                "a JSON body must be an array of objects or a single object, found \(describe(bytes[index]))",
                at: index)
        }
    }

    /// The record for element `index` spanning `start..<end`. Non-objects still produce a
    /// record so that indices stay aligned with the client's array and the reply can list them.
    private func record(_ index: Int, _ start: Int, _ end: Int, _ firstValueEnd: Int?) -> RawRecord {
        let json = bytes.data(start, end)
        if start == end {
            return RawRecord(position: index, json: json, framingError: "index \(index): missing value")
        }
        if bytes[start] != .openBrace {
            return RawRecord(position: index, json: json, framingError: "index \(index): not a JSON object")
        }
        if firstValueEnd != end {
            return RawRecord(
                position: index, json: json, framingError: "index \(index): unexpected data after the JSON object")
        }
        return RawRecord(position: index, json: json)
    }

    /// Scans one element from `start` and returns the index of the `,` or `]` that ends it
    /// (inside an array) or the end of the body (top-level object), plus the index just past
    /// the element's first complete container, used to spot junk after an object.
    private mutating func scanElement(
        from start: Int, inArray: Bool, arrayStart: Int = 0
    ) throws(BatchFramingError) -> (stop: Int, firstValueEnd: Int?) {
        let count = bytes.count
        stack.removeAll(keepingCapacity: true)
        var firstValueEnd: Int?
        var index = start
        while index < count {
            let byte = bytes[index]
            switch byte {
            case .quote:
                index = try skipString(from: index)
                continue
            case .openBrace:
                stack.append(.closeBrace)
            case .openBracket:
                stack.append(.closeBracket)
            case .closeBrace, .closeBracket:
                if let expected = stack.last {
                    guard expected == byte else {
                        throw failure("mismatched \(describe(byte)), expected \(describe(expected))", at: index)
                    }
                    stack.removeLast()
                    if stack.isEmpty, firstValueEnd == nil { firstValueEnd = index + 1 }
                } else if inArray, byte == .closeBracket {
                    return (index, firstValueEnd)
                } else {
                    throw failure("unexpected \(describe(byte))", at: index)
                }
            case .comma where stack.isEmpty:
                if inArray { return (index, firstValueEnd) }
                throw failure("unexpected ','", at: index)
            default:
                break
            }
            index += 1
        }
        if inArray { throw failure("unterminated JSON array (missing ']')", at: arrayStart) }
        if !stack.isEmpty { throw failure("unterminated JSON object", at: start) }
        return (count, firstValueEnd)
    }

    /// Index just past the string literal opening at `start`. Only `\` needs care: whatever
    /// follows it (including `"`) is part of the string.
    private func skipString(from start: Int) throws(BatchFramingError) -> Int {
        let count = bytes.count
        var index = start + 1
        while index < count {
            let byte = bytes[index]
            if byte == .quote { return index + 1 }
            index += byte == .backslash ? 2 : 1
        }
        throw failure("unterminated string", at: start)
    }

    private func skipWhitespace(from start: Int) -> Int {
        var index = start
        while index < bytes.count, bytes[index].isJSONWhitespace { index += 1 }
        return index
    }

    private func trimEnd(_ start: Int, _ end: Int) -> Int {
        var end = end
        while end > start, bytes[end - 1].isJSONWhitespace { end -= 1 }
        return end
    }

    private func failure(_ message: String, at offset: Int) -> BatchFramingError {
        BatchFramingError("malformed JSON body: \(message) (line \(bytes.line(at: offset)), byte \(offset))")
    }
}

// MARK: - NDJSON

/// Splits NDJSON into lines. Lines are not parsed: the preprocessor parses every record
/// anyway, so here a cheap `{`…`}` check is enough to flag obvious garbage with its line.
private enum NDJSONSplitter {
    static func records(_ bytes: UnsafeBufferPointer<UInt8>) -> [RawRecord] {
        let count = bytes.count
        var records: [RawRecord] = []
        var line = 1
        var index = bytes.afterByteOrderMark()
        while index < count {
            var lineEnd = index
            while lineEnd < count, bytes[lineEnd] != .newline { lineEnd += 1 }
            // Trimming also drops the `\r` of a CRLF line ending.
            var start = index
            var end = lineEnd
            while start < end, bytes[start].isJSONWhitespace { start += 1 }
            while end > start, bytes[end - 1].isJSONWhitespace { end -= 1 }
            if start < end {
                let json = bytes.data(start, end)
                if bytes[start] == .openBrace, bytes[end - 1] == .closeBrace {
                    records.append(RawRecord(position: line, json: json))
                } else {
                    records.append(
                        RawRecord(position: line, json: json, framingError: "line \(line): not a JSON object"))
                }
            }
            line += 1
            index = lineEnd + 1
        }
        return records
    }
}

// MARK: - CSV

/// Frames RFC 4180 CSV into one JSON object per row, writing the JSON by hand into a reused
/// byte buffer (much faster than building dictionaries for JSONSerialization).
///
/// Line breaks are `\n`, `\r\n` or a lone `\r` (older Mac exports); inside quotes they are
/// cell content but still advance the line counter so later rows report the right line.
private struct CSVFramer {
    /// A cell's content range; for quoted cells the surrounding quotes are excluded and any
    /// `""` inside still has to be collapsed to `"`.
    struct Field {
        var start: Int
        var end: Int
        var quoted: Bool
        var isEmpty: Bool { start == end }
    }

    /// One physical row: its text range (without the line break), where it starts and where
    /// the next one starts.
    struct Row {
        var start: Int
        var end: Int
        var line: Int
        var next: Int
        var nextLine: Int
        var error: String?
        var hasNonASCII: Bool
    }

    enum Kind { case string, number, tag }

    /// A header column, with its JSON key pre-encoded (`"name":`) so rows only copy bytes.
    struct Column {
        var kind: Kind
        var key: [UInt8]
    }

    /// Columns whose cells become JSON numbers when they parse as finite numbers (docs/ingest-protocol.md).
    static let numericColumns: Set<String> = ["value", "utilization", "lifetime_months", "replication"]
    static let tagPrefix = "tags."
    static let tagsKey: [UInt8] = Array(#""tags":{"#.utf8)

    let bytes: UnsafeBufferPointer<UInt8>
    /// Cells of the row last read; reused to avoid an allocation per row.
    var fields: [Field] = []

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        fields.reserveCapacity(16)
    }

    mutating func records() throws(BatchFramingError) -> [RawRecord] {
        let count = bytes.count
        var index = bytes.afterByteOrderMark()
        var line = 1

        var header: Row
        repeat {
            guard index < count else { throw BatchFramingError("empty CSV body: expected a header row") }
            header = readRow(at: index, line: line)
            (index, line) = (header.next, header.nextLine)
        } while header.start == header.end
        if let error = header.error { throw BatchFramingError("CSV header (line \(header.line)): \(error)") }
        let columns = try makeColumns(headerLine: header.line)

        var records: [RawRecord] = []
        var json: [UInt8] = []
        json.reserveCapacity(512)
        while index < count {
            let row = readRow(at: index, line: line)
            (index, line) = (row.next, row.nextLine)
            if row.error == nil, isBlank(row) { continue }
            if let error = row.error {
                records.append(unframed(row, error))
            } else if row.hasNonASCII, !bytes.isValidUTF8(row.start, row.end) {
                records.append(unframed(row, "not valid UTF-8"))
            } else if fields.count != columns.count {
                records.append(unframed(row, "expected \(columns.count) fields, found \(fields.count)"))
            } else {
                encodeRow(columns, into: &json)
                records.append(RawRecord(position: row.line, json: Data(json)))
            }
        }
        return records
    }

    /// A row that could not be framed keeps its raw text so the reply or a log can show it.
    private func unframed(_ row: Row, _ reason: String) -> RawRecord {
        RawRecord(position: row.line, json: bytes.data(row.start, row.end), framingError: "line \(row.line): \(reason)")
    }

    /// Blank rows (empty, only separators, or only spaces) carry no data; spreadsheets emit
    /// them at the end of exports, so they are skipped rather than reported.
    private func isBlank(_ row: Row) -> Bool {
        if fields.allSatisfy(\.isEmpty) { return true }
        guard fields.count == 1 else { return false }
        for index in row.start..<row.end where bytes[index] != .space && bytes[index] != .tab { return false }
        return true
    }

    /// Reads the row starting at `start` into `fields`.
    private mutating func readRow(at start: Int, line: Int) -> Row {
        let count = bytes.count
        fields.removeAll(keepingCapacity: true)
        var row = Row(start: start, end: count, line: line, next: count, nextLine: line, error: nil, hasNonASCII: false)
        var index = start
        var high: UInt8 = 0  // OR of all bytes: tells cheaply whether UTF-8 validation is needed
        while true {
            if index < count, bytes[index] == .quote {
                let contentStart = index + 1
                var cursor = contentStart
                var closed = false
                while cursor < count {
                    let byte = bytes[cursor]
                    if byte == .quote {
                        if cursor + 1 < count, bytes[cursor + 1] == .quote {
                            cursor += 2
                            continue
                        }
                        closed = true
                        break
                    }
                    if byte == .newline {
                        row.nextLine += 1
                    } else if byte == .carriageReturn, cursor + 1 >= count || bytes[cursor + 1] != .newline {
                        row.nextLine += 1
                    }
                    high |= byte
                    cursor += 1
                }
                guard closed else {
                    // Everything to the end of the body was swallowed by the open quote.
                    fields.append(Field(start: contentStart, end: count, quoted: true))
                    row.error = "unterminated quoted field"
                    row.hasNonASCII = high >= 0x80
                    return row
                }
                fields.append(Field(start: contentStart, end: cursor, quoted: true))
                index = cursor + 1
                if index < count, !isSeparator(bytes[index]) {
                    // `"abc"def`: not RFC 4180; flag the row rather than guess what was meant.
                    if row.error == nil { row.error = "unexpected text after closing quote in field \(fields.count)" }
                    while index < count, !isSeparator(bytes[index]) {
                        high |= bytes[index]
                        index += 1
                    }
                }
            } else {
                let fieldStart = index
                while index < count {
                    let byte = bytes[index]
                    if isSeparator(byte) { break }
                    high |= byte
                    index += 1
                }
                fields.append(Field(start: fieldStart, end: index, quoted: false))
            }
            if index >= count { break }
            if bytes[index] == .comma {
                index += 1
                continue
            }
            row.end = index
            index += bytes[index] == .carriageReturn && index + 1 < count && bytes[index + 1] == .newline ? 2 : 1
            row.next = index
            row.nextLine += 1
            break
        }
        row.hasNonASCII = high >= 0x80
        return row
    }

    private func isSeparator(_ byte: UInt8) -> Bool {
        byte == .comma || byte == .newline || byte == .carriageReturn
    }

    /// Builds the column table from the header row in `fields`. Header problems make every
    /// row meaningless, so they throw instead of producing per-row errors.
    private func makeColumns(headerLine: Int) throws(BatchFramingError) -> [Column] {
        var columns: [Column] = []
        var seen: Set<String> = []
        var hasTagColumns = false
        for (offset, field) in fields.enumerated() {
            let number = offset + 1
            var raw: [UInt8] = []
            appendUnquoted(field, into: &raw)
            guard let decoded = String(validating: raw, as: UTF8.self) else {
                throw BatchFramingError("CSV header (line \(headerLine)): column \(number) is not valid UTF-8")
            }
            // Hand-written headers often have a space after each comma.
            let name = decoded.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else {
                throw BatchFramingError("CSV header (line \(headerLine)): column \(number) has no name")
            }
            guard seen.insert(name).inserted else {
                throw BatchFramingError("CSV header (line \(headerLine)): duplicate column '\(name)'")
            }
            let kind: Kind
            let key: String
            if name.hasPrefix(Self.tagPrefix) {
                key = String(name.dropFirst(Self.tagPrefix.count))
                guard !key.isEmpty else {
                    throw BatchFramingError(
                        "CSV header (line \(headerLine)): column \(number) '\(name)' has no tag name")
                }
                kind = .tag
                hasTagColumns = true
            } else {
                key = name
                kind = Self.numericColumns.contains(name) ? .number : .string
            }
            var encoded: [UInt8] = []
            Array(key.utf8).withUnsafeBufferPointer { keyBytes in
                appendJSONString(keyBytes, 0, keyBytes.count, collapsingQuotes: false, into: &encoded)
            }
            encoded.append(UInt8(ascii: ":"))
            columns.append(Column(kind: kind, key: encoded))
        }
        if hasTagColumns, seen.contains("tags") {
            // A plain `tags` cell and `tags.*` cells would produce two `tags` keys.
            throw BatchFramingError("CSV header (line \(headerLine)): cannot mix a 'tags' column with 'tags.*' columns")
        }
        return columns
    }

    /// Writes the current row (already checked to have one cell per column) as a JSON object.
    private func encodeRow(_ columns: [Column], into json: inout [UInt8]) {
        json.removeAll(keepingCapacity: true)
        json.append(.openBrace)
        var first = true
        var hasTags = false
        for (offset, field) in fields.enumerated() where !field.isEmpty {
            let column = columns[offset]
            if column.kind == .tag {
                hasTags = true
                continue
            }
            if !first { json.append(.comma) }
            first = false
            json.append(contentsOf: column.key)
            if column.kind == .number {
                appendNumberOrString(field, into: &json)
            } else {
                appendJSONString(bytes, field.start, field.end, collapsingQuotes: field.quoted, into: &json)
            }
        }
        if hasTags {
            if !first { json.append(.comma) }
            json.append(contentsOf: Self.tagsKey)
            var firstTag = true
            for (offset, field) in fields.enumerated() where !field.isEmpty && columns[offset].kind == .tag {
                if !firstTag { json.append(.comma) }
                firstTag = false
                json.append(contentsOf: columns[offset].key)
                appendJSONString(bytes, field.start, field.end, collapsingQuotes: field.quoted, into: &json)
            }
            json.append(.closeBrace)
        }
        json.append(.closeBrace)
    }

    /// A numeric column's cell as a JSON number when it is one, else as a string so that the
    /// preprocessor can report "must be a number" with the original text.
    private func appendNumberOrString(_ field: Field, into json: inout [UInt8]) {
        var start = field.start
        var end = field.end
        while start < end, bytes[start] == .space || bytes[start] == .tab { start += 1 }
        while end > start, bytes[end - 1] == .space || bytes[end - 1] == .tab { end -= 1 }
        if let form = numberForm(start, end) {
            switch form {
            case .json:
                // Already valid JSON: copy verbatim so no precision is lost to a Double round trip.
                json.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                return
            case .lenient(let value):
                json.append(contentsOf: Array(value.description.utf8))
                return
            }
        }
        appendJSONString(bytes, field.start, field.end, collapsingQuotes: field.quoted, into: &json)
    }

    enum NumberForm {
        /// The text is a finite JSON number as written.
        case json
        /// The text is a finite number JSON does not accept as written (`+5`, `.5`, `5.`, `007`).
        case lenient(Double)
    }

    /// Whether `start..<end` is a finite number, and in which form.
    private func numberForm(_ start: Int, _ end: Int) -> NumberForm? {
        guard start < end else { return nil }
        var index = start
        var strict = true
        var hasExponent = false
        // RFC 8259 §6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        func digits() -> Int {
            let from = index
            while index < end, (0x30...0x39).contains(bytes[index]) { index += 1 }
            return index - from
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        if integerDigits == 0 || (integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0")) { strict = false }
        if strict, index < end, bytes[index] == UInt8(ascii: ".") {
            index += 1
            if digits() == 0 { strict = false }
        }
        if strict, index < end, bytes[index] | 0x20 == UInt8(ascii: "e") {
            hasExponent = true
            index += 1
            if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            if digits() == 0 { strict = false }
        }
        if strict, index == end {
            // Without an exponent only absurdly long digit strings could overflow a Double.
            if !hasExponent, end - start < 300 { return .json }
            return parseDouble(start, end).map { _ in .json }
        }
        // Lenient forms: only plain decimal characters, so `Double` cannot accept hex, "inf" or "nan".
        for offset in start..<end {
            switch bytes[offset] {
            case 0x30...0x39, UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"),
                UInt8(ascii: "E"):
                continue
            default:
                return nil
            }
        }
        return parseDouble(start, end).map { .lenient($0) }
    }

    private func parseDouble(_ start: Int, _ end: Int) -> Double? {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// The cell's content with CSV quoting undone, for the header.
    private func appendUnquoted(_ field: Field, into out: inout [UInt8]) {
        var index = field.start
        while index < field.end {
            out.append(bytes[index])
            // Inside a quoted cell every `"` is the first of a doubled pair.
            index += field.quoted && bytes[index] == .quote ? 2 : 1
        }
    }
}

/// Appends `source[start..<end]` as a JSON string literal. Runs of bytes that need no escaping
/// are copied in one go; `collapsingQuotes` undoes CSV's `""` doubling on the way.
private func appendJSONString(
    _ source: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, collapsingQuotes: Bool, into out: inout [UInt8]
) {
    out.append(.quote)
    var runStart = start
    var index = start
    while index < end {
        let byte = source[index]
        guard byte < 0x20 || byte == .quote || byte == .backslash else {
            index += 1
            continue
        }
        if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<index])) }
        switch byte {
        case .quote: out.append(contentsOf: [.backslash, .quote])
        case .backslash: out.append(contentsOf: [.backslash, .backslash])
        case .newline: out.append(contentsOf: [.backslash, UInt8(ascii: "n")])
        case .carriageReturn: out.append(contentsOf: [.backslash, UInt8(ascii: "r")])
        case .tab: out.append(contentsOf: [.backslash, UInt8(ascii: "t")])
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [.backslash, UInt8(ascii: "u"), 0x30, 0x30])
            out.append(contentsOf: [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
        }
        // Skip the second `"` of a CSV doubled quote.
        index += collapsingQuotes && byte == .quote ? 2 : 1
        runStart = index
    }
    if runStart < end { out.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<end])) }
    out.append(.quote)
}
