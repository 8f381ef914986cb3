/// What a run of rows of one export file came to: the usage records summed by identity (each
/// at the line of its first row), the rows that could not be converted (with their line, the
/// reason and the raw text), and the counts. The collector reads a large export as a series of
/// such chunks, each stored in one transaction; a small export read whole is one chunk.
public struct BillingChunk: Sendable {
    /// A record and the line of its first row in this chunk.
    public struct Entry: Sendable, Hashable {
        public var key: String
        public var line: Int
        public var record: ActivityLine
    }

    /// A row sent on as a rejection: the preprocessor quarantines it with `message` and `raw`.
    public struct Failure: Sendable, Hashable {
        public var line: Int
        public var message: String
        public var raw: String
    }

    public private(set) var entries: [Entry] = []
    private var byKey: [String: Int] = [:]
    public private(set) var failures: [Failure] = []
    public var summary: BillingConversionSummary
    /// Rows looked at (blank ones included).
    public private(set) var rowsRead = 0

    public init(format: BillingExportFormat) { summary = BillingConversionSummary(format: format) }

    /// Takes one row's outcome; `raw` gives the row's text (only asked for rejected rows).
    public mutating func add(_ outcome: BillingRowOutcome, line: Int, position: String, raw: () -> String) {
        rowsRead += 1
        summary.count(outcome, position: position)
        switch outcome {
        case .usage(let item):
            if let index = byKey[item.key] {
                entries[index].record.value += item.value
            } else if let record = item.record {
                byKey[item.key] = entries.count
                entries.append(Entry(key: item.key, line: line, record: record))
            }
        case .rejected(let message):
            failures.append(Failure(line: line, message: message, raw: raw()))
        case .blank, .notUsage, .unmapped: break
        }
    }

    /// Whether the chunk holds a record of `key` already (the converter then sends the value only).
    public func holds(_ key: String) -> Bool { byKey[key] != nil }

    /// Rows that became records or rejections: what the chunk adds to the store.
    public var isEmpty: Bool { entries.isEmpty && failures.isEmpty }
}
