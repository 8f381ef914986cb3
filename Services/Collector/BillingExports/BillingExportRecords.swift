import Foundation
import GRDB

// The rows of the billing export tables (migration `collector-v6-billing-exports`), as
// `BillingExportStore` reads and writes them. Column names are the schema's, exactly.

/// An export as stored: a row of `billing_exports`, from its first part's reading to its note.
struct BillingExportRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "billing_exports"
    /// The export's id: derived from its parts' content.
    var export: String
    var source: String
    var name: String
    var format: String
    /// A `BillingExportStore.State`.
    var state: String
    var parts: Int
    var bytesTotal: Int64
    /// The running `BillingConversionSummary`, as JSON with sorted keys.
    var summary: Data
    var sentBatches: Int
    var sentRecords: Int
    var cursorPart: Int
    var cursorLine: Int
    var firstBatch: String?
    var note: Data?
    var startedAt: Int64
    var finishedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case export, source, name, format, state, parts, summary, note
        case bytesTotal = "bytes_total", sentBatches = "sent_batches", sentRecords = "sent_records", cursorPart = "cursor_part"
        case cursorLine = "cursor_line", firstBatch = "first_batch", startedAt = "started_at", finishedAt = "finished_at"
    }
    enum Columns {
        static let export = Column(CodingKeys.export)
        static let source = Column(CodingKeys.source)
        static let name = Column(CodingKeys.name)
        static let state = Column(CodingKeys.state)
        static let summary = Column(CodingKeys.summary)
        static let sentBatches = Column(CodingKeys.sentBatches)
        static let sentRecords = Column(CodingKeys.sentRecords)
        static let cursorPart = Column(CodingKeys.cursorPart)
        static let cursorLine = Column(CodingKeys.cursorLine)
        static let firstBatch = Column(CodingKeys.firstBatch)
        static let note = Column(CodingKeys.note)
        static let finishedAt = Column(CodingKeys.finishedAt)
    }
}

/// One part (file) of an export and where its reading resumes: a row of `billing_parts`.
struct BillingPartRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "billing_parts"
    var export: String
    var part: Int
    var name: String
    /// The part's SHA-256, hex.
    var hash: String
    var bytes: Int64
    /// Where reading resumes in the (inflated) stream, and in the file as stored.
    var streamOffset: Int64
    var fileOffset: Int64
    /// The line reading resumes at.
    var line: Int
    /// Rows read so far.
    var rows: Int
    /// Stored as 0 or 1.
    var done: Bool

    enum CodingKeys: String, CodingKey {
        case export, part, name, hash, bytes, line, rows, done
        case streamOffset = "stream_offset", fileOffset = "file_offset"
    }
    enum Columns {
        static let export = Column(CodingKeys.export)
        static let part = Column(CodingKeys.part)
        static let streamOffset = Column(CodingKeys.streamOffset)
        static let fileOffset = Column(CodingKeys.fileOffset)
        static let line = Column(CodingKeys.line)
        static let rows = Column(CodingKeys.rows)
        static let done = Column(CodingKeys.done)
    }
}

/// A record summed over an export's rows so far, under its key: a row of `billing_items`,
/// kept until the export's note is written. Written by `BillingExportStore.store` alone, which
/// adds each chunk's value to the stored one.
struct BillingItemRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "billing_items"
    var export: String
    var key: String
    /// Where the key was first seen: the record is sent at this place in the export's order.
    var part: Int
    var line: Int
    var value: Double
    /// The `ActivityLine` as JSON (its value is the column's).
    var record: Data

    enum Columns {
        static let export = Column(CodingKeys.export)
    }
}

/// A row of an export that was rejected, with the reason: a row of `billing_failures`, kept
/// until the export's note is written.
struct BillingFailureRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "billing_failures"
    var export: String
    var part: Int
    var line: Int
    var message: String
    /// The rejected row as read.
    var raw: String

    enum Columns {
        static let export = Column(CodingKeys.export)
    }
}

/// What became of an entry dropped or uploaded under a name: a row of `billing_receipts`
/// (`done` with the export's note, or `failed` with the reason).
struct BillingReceiptRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "billing_receipts"
    /// Assigned by SQLite on insert; the latest receipt has the greatest.
    var id: Int64?
    var source: String
    var name: String
    var export: String?
    var state: String
    var note: Data
    var at: Int64

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let source = Column(CodingKeys.source)
        static let name = Column(CodingKeys.name)
    }
}

/// A batch an export was sent in, and the rows it holds (from a start cursor, so many lines):
/// a row of `billing_batches`.
struct BillingBatchRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "billing_batches"
    var export: String
    var number: Int
    var batch: String
    var startPart: Int
    var startLine: Int
    var lines: Int

    enum CodingKeys: String, CodingKey {
        case export, number, batch, lines
        case startPart = "start_part", startLine = "start_line"
    }
    enum Columns {
        static let export = Column(CodingKeys.export)
        static let number = Column(CodingKeys.number)
    }
}
