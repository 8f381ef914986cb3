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
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM billing_exports WHERE export = ?", arguments: [id]) else { return nil }
        return try export(row)
    }

    private static func export(_ row: Row) throws -> Export {
        let state: String = row["state"]
        return Export(
            id: row["export"], source: row["source"], name: row["name"], state: State(rawValue: state) ?? .reading,
            summary: try JSONDecoder().decode(BillingConversionSummary.self, from: row["summary"] as Data),
            sentBatches: row["sent_batches"], sentRecords: row["sent_records"],
            cursor: Cursor(part: row["cursor_part"], line: row["cursor_line"]), firstBatch: row["first_batch"], note: row["note"])
    }

    static func parts(_ db: Database, export: String) throws -> [Part] {
        try Row.fetchAll(db, sql: "SELECT * FROM billing_parts WHERE export = ? ORDER BY part", arguments: [export]).map { row in
            Part(
                number: row["part"], name: row["name"], hash: row["hash"], bytes: row["bytes"], streamOffset: row["stream_offset"],
                fileOffset: row["file_offset"], line: row["line"], rows: row["rows"], done: (row["done"] as Int) != 0)
        }
    }

    /// Records a new export and its parts, in state `reading`.
    static func begin(
        _ db: Database, id: String, source: String, name: String, format: BillingExportFormat, parts: [(name: String, hash: String, bytes: Int64)],
        summary: BillingConversionSummary
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO billing_exports (export, source, name, format, state, parts, bytes_total, summary, started_at)
                VALUES (?, ?, ?, ?, 'reading', ?, ?, ?, ?)
                """,
            arguments: [
                id, source, name, format.rawValue, parts.count, parts.reduce(0) { $0 + $1.bytes }, try encode(summary),
                Int64(Date().timeIntervalSince1970),
            ])
        for (number, part) in parts.enumerated() {
            try db.execute(
                sql: "INSERT INTO billing_parts (export, part, name, hash, bytes) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, number, part.name, part.hash, part.bytes])
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
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO billing_items (export, key, part, line, value, record) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (export, key) DO UPDATE SET value = value + excluded.value
                """)
        for entry in chunk.entries {
            try upsert.execute(arguments: [export, entry.key, part, entry.line, entry.record.value, try encoder.encode(entry.record)])
        }
        let failure = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO billing_failures (export, part, line, message, raw) VALUES (?, ?, ?, ?, ?)")
        for rejected in chunk.failures {
            try failure.execute(arguments: [export, part, rejected.line, rejected.message, rejected.raw])
        }
        try db.execute(
            sql: """
                UPDATE billing_parts SET stream_offset = ?, line = ?, file_offset = ?, rows = rows + ?, done = ?
                WHERE export = ? AND part = ?
                """,
            arguments: [resumeAt.offset, resumeAt.line, fileOffset, chunk.rowsRead, done ? 1 : 0, export, part])
        try db.execute(sql: "UPDATE billing_exports SET summary = ? WHERE export = ?", arguments: [try encode(summary), export])
    }

    /// Every part is read: the records are counted and sending begins.
    static func finishReading(_ db: Database, export: String, summary: BillingConversionSummary) throws -> BillingConversionSummary {
        var summary = summary
        summary.usageRecords = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM billing_items WHERE export = ?", arguments: [export]) ?? 0
        try db.execute(
            sql: "UPDATE billing_exports SET state = 'sending', summary = ? WHERE export = ?", arguments: [try encode(summary), export])
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
            // Row values let each side seek straight to the cursor in its index (an OR would scan
            // the export from its start on every page).
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
        try db.execute(
            sql: "INSERT OR REPLACE INTO billing_batches (export, number, batch, start_part, start_line, lines) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [export, number, batch, start.part, start.line, lines])
        try db.execute(
            sql: """
                UPDATE billing_exports SET sent_batches = ?, sent_records = sent_records + ?, cursor_part = ?, cursor_line = ?,
                first_batch = COALESCE(first_batch, ?) WHERE export = ?
                """,
            arguments: [number + 1, lines, end.part, end.line, batch, export])
    }

    /// The batches an export was sent in: (number, batch id, first cursor, lines).
    static func batches(_ db: Database, export: String) throws -> [(number: Int, batch: String, start: Cursor, lines: Int)] {
        try Row.fetchAll(db, sql: "SELECT * FROM billing_batches WHERE export = ? ORDER BY number", arguments: [export]).map { row in
            (row["number"], row["batch"], Cursor(part: row["start_part"], line: row["start_line"]), row["lines"])
        }
    }

    /// The export is sent and its note written: keep the note, drop the records and rejections.
    static func finish(_ db: Database, export: String, note: Data) throws {
        try db.execute(
            sql: "UPDATE billing_exports SET state = 'done', note = ?, finished_at = ? WHERE export = ?",
            arguments: [note, Int64(Date().timeIntervalSince1970), export])
        try db.execute(sql: "DELETE FROM billing_items WHERE export = ?", arguments: [export])
        try db.execute(sql: "DELETE FROM billing_failures WHERE export = ?", arguments: [export])
    }

    /// Gives an unfinished export the name its content is found under now.
    static func rename(_ db: Database, export: String, to name: String) throws {
        try db.execute(sql: "UPDATE billing_exports SET name = ? WHERE export = ? AND state != 'done'", arguments: [name, export])
    }

    /// What became of an entry dropped (or uploaded) under `name`: `done` with its note (also for
    /// an export ingested before), or `failed` with the reason; the latest answers `GET
    /// /v1/sources/{source}/exports/{name}`.
    static func receipt(_ db: Database, source: String, name: String, export: String?, state: String, note: Data) throws {
        try db.execute(
            sql: "INSERT INTO billing_receipts (source, name, export, state, note, at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [source, name, export, state, note, Int64(Date().timeIntervalSince1970)])
    }

    /// The latest receipt of `name` in `source`: its state and note (or reason).
    static func latestReceipt(_ db: Database, source: String, name: String) throws -> (state: String, note: Data)? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT state, note FROM billing_receipts WHERE source = ? AND name = ? ORDER BY id DESC LIMIT 1", arguments: [source, name])
        else { return nil }
        return (row["state"], row["note"])
    }

    /// Drops the exports of `source` left unfinished whose entry is no longer in the folder under
    /// its name (taken away), or whose name now holds other content (`replacing`: name → the
    /// export id it holds now), with their records and rejections. Returns their names.
    static func dropAbandoned(_ db: Database, source: String, present: Set<String>, replacing: (name: String, id: String)? = nil) throws
        -> [String]
    {
        let unfinished = try Row.fetchAll(
            db, sql: "SELECT export, name FROM billing_exports WHERE source = ? AND state != 'done'", arguments: [source])
        var dropped: [String] = []
        for row in unfinished {
            let (export, name): (String, String) = (row["export"], row["name"])
            // The export being processed now is never dropped, whatever its stored name.
            guard export != replacing?.id else { continue }
            let replaced = replacing.map { $0.name == name } ?? false
            guard replaced || !present.contains(name) else { continue }
            for table in ["billing_items", "billing_failures", "billing_parts", "billing_batches", "billing_exports"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE export = ?", arguments: [export])
            }
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
