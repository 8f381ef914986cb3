/// One CSV row as the `CSVRowReader` read it: the line it starts on, where it lies in the byte
/// stream (so a reader can resume after it), and its cells, unquoted with `""` collapsed; or
/// why it could not be read.
public struct CSVRow: Sendable {
    /// 1-based line of the stream where the row starts.
    public var line = 0
    /// Byte offset in the stream of the row's first byte.
    public var startOffset: Int64 = 0
    /// Byte offset in the stream just past the row's line break: where the next row starts.
    public var endOffset: Int64 = 0
    /// Why the row could not be read (an unterminated quote, text after a closing quote, a row
    /// longer than the limit, bytes that are not UTF-8); nil for a good row.
    public var error: String?
    /// The cells' bytes back to back, and where each cell ends in them.
    var bytes: [UInt8] = []
    var ends: [Int] = []

    public var count: Int { ends.count }

    /// Whether every cell is empty (a blank line, or one of separators only).
    public var isBlank: Bool { bytes.isEmpty }

    /// The cell at `index` as text; nil when the row has no such cell or the cell is empty.
    public func cell(_ index: Int) -> String? {
        guard index >= 0, index < ends.count else { return nil }
        let start = index == 0 ? 0 : ends[index - 1]
        let end = ends[index]
        guard start < end else { return nil }
        // Rows are checked to be UTF-8 as they are read: decoding repairs nothing here.
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
    }

    /// Every cell as text, empty cells as "" (for headers and tests).
    public var cells: [String] { (0..<count).map { cell($0) ?? "" } }
}

/// An incremental RFC 4180 CSV reader: bytes go in by chunks of any size (a row may straddle
/// chunks), rows come out one by one, so a file of any size is read in bounded memory. Quoted
/// cells may hold commas, quotes (`""`) and line breaks; lines end in LF, CRLF or CR; a UTF-8
/// byte-order mark at the start is dropped; empty lines are skipped.
///
/// A row that cannot be read does not stop the stream: it comes out with `error` set and the
/// line it starts on, and reading goes on with the next row. A row longer than `maxRowBytes`
/// (an oversized cell, or a quote that never closes) is reported once and skipped up to the
/// next line break, so one bad row cannot swallow the rest of a file or all memory.
public struct CSVRowReader: Sendable {
    /// What `next` found.
    public enum Step: Sendable, Equatable {
        /// A row (good or not) is in `row`.
        case row
        /// The bytes so far end inside a row: `append` more, or `finish`.
        case needsInput
        /// Every row has been read.
        case end
    }

    public let maxRowBytes: Int
    /// The row `next` last returned.
    public private(set) var row = CSVRow()
    /// Unread bytes; `buffer[0]` is byte `bufferOffset` of the stream.
    private var buffer: [UInt8] = []
    private var position = 0
    private var bufferOffset: Int64
    private var line: Int
    private var finished = false
    private var atStart: Bool
    /// Skipping the rest of an oversized row, up to the next line break.
    private var skipping = false

    /// `startOffset` and `startLine` place the first byte appended in the stream (a resume
    /// starts at a row boundary; line numbers go on from there).
    public init(maxRowBytes: Int = 1 << 20, startOffset: Int64 = 0, startLine: Int = 1) {
        self.maxRowBytes = max(64, maxRowBytes)
        bufferOffset = startOffset
        line = startLine
        atStart = startOffset == 0
    }

    /// Where the next row starts (its byte offset and line), to resume from after a restart;
    /// nil while an oversized row is being skipped (no row boundary is known then).
    public var boundary: (offset: Int64, line: Int)? { skipping ? nil : (bufferOffset + Int64(position), line) }

    /// Bytes of the stream taken in so far (appended), for progress.
    public var bytesAppended: Int64 { bufferOffset + Int64(buffer.count) }

    public mutating func append(_ chunk: [UInt8]) {
        if position > 0 {
            buffer.removeFirst(position)
            bufferOffset += Int64(position)
            position = 0
        }
        buffer.append(contentsOf: chunk)
    }

    /// No more bytes will come: the last row may end without a line break.
    public mutating func finish() { finished = true }

    public mutating func next() -> Step {
        if atStart {
            guard buffer.count >= 3 || finished else { return .needsInput }
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { position = 3 }
            atStart = false
        }
        while true {
            if skipping {
                guard skipToLineEnd() else { return finished ? .end : .needsInput }
                skipping = false
            }
            // Empty lines carry nothing.
            while position < buffer.count, buffer[position] == .newline || buffer[position] == .carriageReturn {
                if buffer[position] == .carriageReturn {
                    if position + 1 < buffer.count {
                        if buffer[position + 1] == .newline { position += 1 }
                    } else if !finished {
                        return .needsInput
                    }
                }
                position += 1
                line += 1
            }
            if position >= buffer.count { return finished ? .end : .needsInput }
            switch readRow() {
            case .complete: return .row
            case .incomplete:
                if buffer.count - position >= maxRowBytes {
                    // The row goes on past the limit: report it and skip to the next line break.
                    row.bytes.removeAll(keepingCapacity: true)
                    row.ends.removeAll(keepingCapacity: true)
                    row.line = line
                    row.startOffset = bufferOffset + Int64(position)
                    row.error = "a row longer than \(maxRowBytes) bytes (an oversized cell, or a quote that never closes); skipped to the next line break"
                    skipping = true
                    skipToLineEnd()
                    row.endOffset = bufferOffset + Int64(position)
                    return .row
                }
                return .needsInput
            }
        }
    }

    /// The current row's raw text as in the file, at most `limit` bytes (for quarantine and
    /// error messages); valid until the next `append`.
    public func rawText(limit: Int = 4096) -> String {
        let start = Int(row.startOffset - bufferOffset)
        var end = Int(row.endOffset - bufferOffset)
        guard start >= 0, start <= end, end <= buffer.count else { return "" }
        while end > start, buffer[end - 1] == .newline || buffer[end - 1] == .carriageReturn { end -= 1 }
        let cut = min(end, start + limit)
        let text = buffer.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<cut]), as: UTF8.self) }
        return cut < end ? text + "…" : text
    }

    /// Moves past the next line break (counting lines); false when the buffer ends first.
    @discardableResult
    private mutating func skipToLineEnd() -> Bool {
        while position < buffer.count {
            let byte = buffer[position]
            position += 1
            if byte == .newline {
                line += 1
                return true
            }
        }
        return false
    }

    private enum Outcome { case complete, incomplete }

    /// Reads the row at `position` into `row`; `.incomplete` (nothing consumed) when the buffer
    /// ends inside it and more may come.
    private mutating func readRow() -> Outcome {
        // The cell storage is taken out of `row` while the buffer is borrowed, and put back.
        var cellBytes: [UInt8] = []
        var cellEnds: [Int] = []
        swap(&cellBytes, &row.bytes)
        swap(&cellEnds, &row.ends)
        cellBytes.removeAll(keepingCapacity: true)
        cellEnds.removeAll(keepingCapacity: true)
        defer {
            swap(&cellBytes, &row.bytes)
            swap(&cellEnds, &row.ends)
        }
        row.error = nil
        let start = position
        let count = buffer.count
        let finished = finished
        var innerLines = 0
        var high: UInt8 = 0
        var error: String?
        var next = start
        let outcome: Outcome = buffer.withUnsafeBufferPointer { bytes -> Outcome in
            var index = start
            while true {
                if index < count, bytes[index] == .quote {
                    var cursor = index + 1
                    var segment = cursor
                    var closed = false
                    while cursor < count {
                        let byte = bytes[cursor]
                        if byte == .quote {
                            if cursor + 1 < count {
                                if bytes[cursor + 1] == .quote {
                                    cellBytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segment...cursor]))
                                    cursor += 2
                                    segment = cursor
                                    continue
                                }
                            } else if !finished {
                                return .incomplete  // `"` or `""`: the next byte decides
                            }
                            closed = true
                            break
                        }
                        if byte == .newline {
                            innerLines += 1
                        } else if byte == .carriageReturn, cursor + 1 < count, bytes[cursor + 1] != .newline {
                            innerLines += 1
                        }
                        high |= byte
                        cursor += 1
                    }
                    guard closed else {
                        if !finished { return .incomplete }
                        cellBytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segment..<count]))
                        cellEnds.append(cellBytes.count)
                        error = "unterminated quoted field \(cellEnds.count)"
                        next = count
                        return .complete
                    }
                    cellBytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segment..<cursor]))
                    cellEnds.append(cellBytes.count)
                    index = cursor + 1
                    if index < count, !Self.isSeparator(bytes[index]) {
                        // `"abc"def`: not RFC 4180; flag the row rather than guess what was meant.
                        if error == nil { error = "unexpected text after the closing quote of field \(cellEnds.count)" }
                        while index < count, !Self.isSeparator(bytes[index]) { index += 1 }
                    }
                } else {
                    let fieldStart = index
                    while index < count, !Self.isSeparator(bytes[index]) {
                        high |= bytes[index]
                        index += 1
                    }
                    cellBytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[fieldStart..<index]))
                    cellEnds.append(cellBytes.count)
                }
                if index >= count {
                    if !finished { return .incomplete }
                    next = count
                    return .complete
                }
                switch bytes[index] {
                case .comma:
                    index += 1
                    continue
                case .carriageReturn:
                    if index + 1 < count {
                        next = bytes[index + 1] == .newline ? index + 2 : index + 1
                    } else if !finished {
                        return .incomplete  // CR or CRLF: the next byte decides
                    } else {
                        next = index + 1
                    }
                    return .complete
                default:  // LF
                    next = index + 1
                    return .complete
                }
            }
        }
        guard outcome == .complete else { return .incomplete }
        if high >= 0x80, error == nil, String(validating: cellBytes, as: UTF8.self) == nil { error = "not valid UTF-8" }
        row.error = error
        row.line = line
        row.startOffset = bufferOffset + Int64(start)
        row.endOffset = bufferOffset + Int64(next)
        position = next
        line += 1 + innerLines
        return .complete
    }

    private static func isSeparator(_ byte: UInt8) -> Bool { byte == .comma || byte == .newline || byte == .carriageReturn }
}

extension UInt8 {
    fileprivate static let quote: UInt8 = 0x22
    fileprivate static let comma: UInt8 = 0x2C
    fileprivate static let newline: UInt8 = 0x0A
    fileprivate static let carriageReturn: UInt8 = 0x0D
}
