import Collecting
import Foundation
import GRDB

/// Where a billing export stands in the collector's store, so that a large export survives a
/// restart: the export (identified by its content), each part's progress (the byte offset and
/// line to resume at), the records summed so far and the rows rejected so far, and the batches
/// sent. Every chunk of rows is stored in one transaction with its part's progress, so a
/// restart resumes exactly after the last stored chunk, and nothing is counted twice.
enum BillingExportStore {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        // Raw SQL because a migration is applied once by its identifier: its DDL stays as shipped.
        migrator.registerMigration("collector-v6-billing-exports") { db in
            try db.execute(
                sql: """
                    CREATE TABLE billing_exports (
                        export TEXT PRIMARY KEY,
                        source TEXT NOT NULL,
                        name TEXT NOT NULL,
                        format TEXT NOT NULL,
                        state TEXT NOT NULL,
                        parts INTEGER NOT NULL,
                        bytes_total INTEGER NOT NULL,
                        summary BLOB NOT NULL,
                        sent_batches INTEGER NOT NULL DEFAULT 0,
                        sent_records INTEGER NOT NULL DEFAULT 0,
                        cursor_part INTEGER NOT NULL DEFAULT -1,
                        cursor_line INTEGER NOT NULL DEFAULT 0,
                        first_batch TEXT,
                        note BLOB,
                        started_at INTEGER NOT NULL,
                        finished_at INTEGER
                    ) WITHOUT ROWID;
                    CREATE INDEX billing_exports_source ON billing_exports (source, name);
                    CREATE TABLE billing_parts (
                        export TEXT NOT NULL,
                        part INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        hash TEXT NOT NULL,
                        bytes INTEGER NOT NULL,
                        stream_offset INTEGER NOT NULL DEFAULT 0,
                        file_offset INTEGER NOT NULL DEFAULT 0,
                        line INTEGER NOT NULL DEFAULT 1,
                        rows INTEGER NOT NULL DEFAULT 0,
                        done INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (export, part)
                    ) WITHOUT ROWID;
                    CREATE TABLE billing_items (
                        export TEXT NOT NULL,
                        key TEXT NOT NULL,
                        part INTEGER NOT NULL,
                        line INTEGER NOT NULL,
                        value REAL NOT NULL,
                        record BLOB NOT NULL,
                        PRIMARY KEY (export, key)
                    ) WITHOUT ROWID;
                    CREATE INDEX billing_items_order ON billing_items (export, part, line);
                    CREATE TABLE billing_failures (
                        export TEXT NOT NULL,
                        part INTEGER NOT NULL,
                        line INTEGER NOT NULL,
                        message TEXT NOT NULL,
                        raw TEXT NOT NULL,
                        PRIMARY KEY (export, part, line)
                    ) WITHOUT ROWID;
                    CREATE TABLE billing_receipts (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        source TEXT NOT NULL,
                        name TEXT NOT NULL,
                        export TEXT,
                        state TEXT NOT NULL,
                        note BLOB NOT NULL,
                        at INTEGER NOT NULL
                    );
                    CREATE INDEX billing_receipts_name ON billing_receipts (source, name);
                    CREATE TABLE billing_batches (
                        export TEXT NOT NULL,
                        number INTEGER NOT NULL,
                        batch TEXT NOT NULL,
                        start_part INTEGER NOT NULL,
                        start_line INTEGER NOT NULL,
                        lines INTEGER NOT NULL,
                        PRIMARY KEY (export, number)
                    ) WITHOUT ROWID;
                    """)
        }
    }

    /// Where an export stands.
    enum State: String, Sendable {
        /// Parts are being read (and summed) chunk by chunk.
        case reading
        /// Every part is read; records are being sent in batches.
        case sending
        /// Sent, the note written; the records and rejections are no longer kept.
        case done
    }

    /// An export as stored.
    struct Export: Sendable {
        var id: String
        var source: String
        var name: String
        var state: State
        var summary: BillingConversionSummary
        var sentBatches: Int
        var sentRecords: Int
        var cursor: Cursor
        var firstBatch: String?
        var note: Data?
    }

    /// A position in an export's rows: part, then line (items and rejections are sent in this order).
    struct Cursor: Sendable, Hashable, Comparable {
        var part: Int
        var line: Int
        static let start = Cursor(part: -1, line: 0)
        static func < (a: Cursor, b: Cursor) -> Bool { (a.part, a.line) < (b.part, b.line) }
    }

    /// A part as stored: where reading resumes.
    struct Part: Sendable {
        var number: Int
        var name: String
        var hash: String
        var bytes: Int64
        var streamOffset: Int64
        var fileOffset: Int64
        var line: Int
        var rows: Int
        var done: Bool
    }

    static func export(_ db: Database, id: String) throws -> Export? {
        guard let row = try BillingExportRow.fetchOne(db, key: id) else { return nil }
        return Export(
            id: row.export, source: row.source, name: row.name, state: State(rawValue: row.state) ?? .reading,
            summary: try JSONDecoder().decode(BillingConversionSummary.self, from: row.summary), sentBatches: row.sentBatches,
            sentRecords: row.sentRecords, cursor: Cursor(part: row.cursorPart, line: row.cursorLine), firstBatch: row.firstBatch, note: row.note)
    }

    static func parts(_ db: Database, export: String) throws -> [Part] {
        try BillingPartRow.filter(BillingPartRow.Columns.export == export).order(BillingPartRow.Columns.part).fetchAll(db).map { row in
            Part(
                number: row.part, name: row.name, hash: row.hash, bytes: row.bytes, streamOffset: row.streamOffset, fileOffset: row.fileOffset,
                line: row.line, rows: row.rows, done: row.done)
        }
    }

    /// Records a new export and its parts, in state `reading`.
    static func begin(
        _ db: Database, id: String, source: String, name: String, format: BillingExportFormat, parts: [(name: String, hash: String, bytes: Int64)],
        summary: BillingConversionSummary
    ) throws {
        // The progress columns start at the schema's defaults.
        try BillingExportRow(
            export: id, source: source, name: name, format: format.rawValue, state: State.reading.rawValue, parts: parts.count,
            bytesTotal: parts.reduce(0) { $0 + $1.bytes }, summary: try encode(summary), sentBatches: 0, sentRecords: 0,
            cursorPart: Cursor.start.part, cursorLine: Cursor.start.line, firstBatch: nil, note: nil, startedAt: Int64(Date().timeIntervalSince1970),
            finishedAt: nil
        ).insert(db)
        for (number, part) in parts.enumerated() {
            try BillingPartRow(
                export: id, part: number, name: part.name, hash: part.hash, bytes: part.bytes, streamOffset: 0, fileOffset: 0, line: 1, rows: 0,
                done: false
            ).insert(db)
        }
    }

    /// Stores one chunk of a part: its summed records (added to those of earlier chunks), its
    /// rejected rows, the running summary and where the part resumes; in the caller's transaction.
    static func store(
        _ db: Database, export: String, part: Int, chunk: BillingChunk, summary: BillingConversionSummary, resumeAt: (offset: Int64, line: Int),
        fileOffset: Int64, done: Bool
    ) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Raw SQL because this runs for every row of an export (the hot path measured in
        // docs/PERFORMANCE.md) and adds to the stored value: one cached statement, where a
        // record's upsert would build its SQL and ask for a rowid (billing_items has none) per row.
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO billing_items (export, key, part, line, value, record) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (export, key) DO UPDATE SET value = value + excluded.value
                """)
        for entry in chunk.entries {
            try upsert.execute(arguments: [export, entry.key, part, entry.line, entry.record.value, try encoder.encode(entry.record)])
        }
        for rejected in chunk.failures {
            try BillingFailureRow(export: export, part: part, line: rejected.line, message: rejected.message, raw: rejected.raw)
                .insert(db, onConflict: .replace)
        }
        typealias PartColumns = BillingPartRow.Columns
        try BillingPartRow.filter(PartColumns.export == export && PartColumns.part == part).updateAll(
            db,
            [
                PartColumns.streamOffset.set(to: resumeAt.offset), PartColumns.line.set(to: resumeAt.line),
                PartColumns.fileOffset.set(to: fileOffset), PartColumns.rows += chunk.rowsRead, PartColumns.done.set(to: done),
            ])
        try BillingExportRow.filter(key: export).updateAll(db, BillingExportRow.Columns.summary.set(to: try encode(summary)))
    }

    /// Every part is read: the records are counted and sending begins.
    static func finishReading(_ db: Database, export: String, summary: BillingConversionSummary) throws -> BillingConversionSummary {
        var summary = summary
        summary.usageRecords = try BillingItemRow.filter(BillingItemRow.Columns.export == export).fetchCount(db)
        try BillingExportRow.filter(key: export).updateAll(
            db, [BillingExportRow.Columns.state.set(to: State.sending.rawValue), BillingExportRow.Columns.summary.set(to: try encode(summary))])
        return summary
    }

    /// One line of a batch to send: a record (its summed value written in) or a rejected row.
    struct Outgoing: Sendable {
        var cursor: Cursor
        var text: String
    }

    /// The next `limit` records and rejections after `cursor`, in part and line order.
    static func page(_ db: Database, export: String, after cursor: Cursor, limit: Int) throws -> [Outgoing] {
        let rows = try Row.fetchAll(
            db,
            // Raw SQL because the query interface has no row-value comparison: row values let each
            // side seek straight to the cursor in its index (an OR would scan the export from its
            // start on every page), and the two tables are merged in one ordered page.
            sql: """
                SELECT * FROM (
                    SELECT part, line, value, record, NULL AS message, NULL AS raw FROM billing_items
                    WHERE export = ?1 AND (part, line) > (?2, ?3) ORDER BY part, line LIMIT ?4)
                UNION ALL
                SELECT * FROM (
                    SELECT part, line, NULL, NULL, message, raw FROM billing_failures
                    WHERE export = ?1 AND (part, line) > (?2, ?3) ORDER BY part, line LIMIT ?4)
                ORDER BY part, line LIMIT ?4
                """,
            arguments: [export, cursor.part, cursor.line, limit])
        let decoder = JSONDecoder()
        return try rows.map { row in
            let at = Cursor(part: row["part"], line: row["line"])
            if let message = row["message"] as String? {
                return Outgoing(cursor: at, text: BillingExportConversion.failure(message, raw: row["raw"] ?? ""))
            }
            var record = try decoder.decode(ActivityLine.self, from: row["record"] as Data)
            record.value = row["value"]
            return Outgoing(cursor: at, text: record.json())
        }
    }

    /// A batch was delivered (or found delivered before): sending goes on after `cursor`.
    static func sent(_ db: Database, export: String, number: Int, batch: String, start: Cursor, end: Cursor, lines: Int) throws {
        try BillingBatchRow(export: export, number: number, batch: batch, startPart: start.part, startLine: start.line, lines: lines)
            .insert(db, onConflict: .replace)
        typealias ExportColumns = BillingExportRow.Columns
        try BillingExportRow.filter(key: export).updateAll(
            db,
            [
                ExportColumns.sentBatches.set(to: number + 1), ExportColumns.sentRecords += lines, ExportColumns.cursorPart.set(to: end.part),
                ExportColumns.cursorLine.set(to: end.line), ExportColumns.firstBatch.set(to: ExportColumns.firstBatch ?? batch),
            ])
    }

    /// The batches an export was sent in: (number, batch id, first cursor, lines).
    static func batches(_ db: Database, export: String) throws -> [(number: Int, batch: String, start: Cursor, lines: Int)] {
        try BillingBatchRow.filter(BillingBatchRow.Columns.export == export).order(BillingBatchRow.Columns.number).fetchAll(db).map { row in
            (row.number, row.batch, Cursor(part: row.startPart, line: row.startLine), row.lines)
        }
    }

    /// The export is sent and its note written: keep the note, drop the records and rejections.
    static func finish(_ db: Database, export: String, note: Data) throws {
        try BillingExportRow.filter(key: export).updateAll(
            db,
            [
                BillingExportRow.Columns.state.set(to: State.done.rawValue), BillingExportRow.Columns.note.set(to: note),
                BillingExportRow.Columns.finishedAt.set(to: Int64(Date().timeIntervalSince1970)),
            ])
        try BillingItemRow.filter(BillingItemRow.Columns.export == export).deleteAll(db)
        try BillingFailureRow.filter(BillingFailureRow.Columns.export == export).deleteAll(db)
    }

    /// Gives an unfinished export the name its content is found under now.
    static func rename(_ db: Database, export: String, to name: String) throws {
        try BillingExportRow.filter(key: export).filter(BillingExportRow.Columns.state != State.done.rawValue)
            .updateAll(db, BillingExportRow.Columns.name.set(to: name))
    }

    /// What became of an entry dropped (or uploaded) under `name`: `done` with its note (also for
    /// an export ingested before), or `failed` with the reason; the latest answers `GET
    /// /v1/sources/{source}/exports/{name}`.
    static func receipt(_ db: Database, source: String, name: String, export: String?, state: String, note: Data) throws {
        try BillingReceiptRow(id: nil, source: source, name: name, export: export, state: state, note: note, at: Int64(Date().timeIntervalSince1970))
            .insert(db)
    }

    /// The latest receipt of `name` in `source`: its state and note (or reason).
    static func latestReceipt(_ db: Database, source: String, name: String) throws -> (state: String, note: Data)? {
        typealias Columns = BillingReceiptRow.Columns
        guard let row = try BillingReceiptRow.filter(Columns.source == source && Columns.name == name).order(Columns.id.desc).fetchOne(db)
        else { return nil }
        return (row.state, row.note)
    }

    /// Drops the exports of `source` left unfinished whose entry is no longer in the folder under
    /// its name (taken away), or whose name now holds other content (`replacing`: name → the
    /// export id it holds now), with their records and rejections. Returns their names.
    static func dropAbandoned(_ db: Database, source: String, present: Set<String>, replacing: (name: String, id: String)? = nil) throws
        -> [String]
    {
        let unfinished = try BillingExportRow
            .filter(BillingExportRow.Columns.source == source && BillingExportRow.Columns.state != State.done.rawValue)
            .fetchAll(db)
        var dropped: [String] = []
        for row in unfinished {
            let (export, name) = (row.export, row.name)
            // The export being processed now is never dropped, whatever its stored name.
            guard export != replacing?.id else { continue }
            let replaced = replacing.map { $0.name == name } ?? false
            guard replaced || !present.contains(name) else { continue }
            try BillingItemRow.filter(BillingItemRow.Columns.export == export).deleteAll(db)
            try BillingFailureRow.filter(BillingFailureRow.Columns.export == export).deleteAll(db)
            try BillingPartRow.filter(BillingPartRow.Columns.export == export).deleteAll(db)
            try BillingBatchRow.filter(BillingBatchRow.Columns.export == export).deleteAll(db)
            try BillingExportRow.filter(key: export).deleteAll(db)
            dropped.append(name)
        }
        return dropped
    }

    private static func encode(_ summary: BillingConversionSummary) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(summary)
    }
}
