import Contracts
import Foundation
import GRDB
import Messaging
import ServiceKit
import Testing

@testable import Collecting
@testable import Collector

/// What the collector's stores hold, value by value (SQLite's `quote()`, which tells an integer
/// from a real, a text from a blob, and an empty blob from NULL), after the billing export
/// store, the batch and delivery writes and a tenant's erase: the stored bytes existing stores
/// and backups were written with.
@Suite struct CollectorStoredRowsTests {
    let database: DatabaseQueue

    init() throws {
        var migrator = DatabaseMigrator()
        MessageStore.registerMigrations(&migrator)
        CollectorMigrations.register(&migrator)
        database = try DatabaseQueue()
        try migrator.migrate(database)
    }

    /// Each row of `table` as its columns' `quote()`s joined by `|`, in `order`.
    static func stored(_ db: Database, _ table: String, _ columns: [String], order: String) throws -> [String] {
        let quoted = columns.map { "quote(\($0))" }.joined(separator: " || '|' || ")
        return try String.fetchAll(db, sql: "SELECT \(quoted) FROM \(table) ORDER BY \(order)")
    }

    static func line(_ id: String, value: Double) -> ActivityLine {
        ActivityLine(source: "billing", id: id, kind: "compute", start: "2024-01-01T00:00:00Z", end: "2024-01-01T01:00:00Z", value: value, unit: "vCPU-h")
    }

    static func chunk(_ rows: [(line: Int, outcome: BillingRowOutcome, raw: String)]) -> BillingChunk {
        var chunk = BillingChunk(format: .focus)
        for row in rows { chunk.add(row.outcome, line: row.line, position: "\(row.line)", raw: { row.raw }) }
        return chunk
    }

    @Test func billingExportRowsAreStoredAsBefore() throws {
        try database.write { db in
            let summary = BillingConversionSummary(format: .focus)
            try BillingExportStore.begin(
                db, id: "e1", source: "s", name: "a.csv", format: .focus, parts: [("a.csv", "h0", 10), ("b.csv", "h1", 20)], summary: summary)
            #expect(
                try Self.stored(
                    db, "billing_exports",
                    ["export", "source", "name", "format", "state", "parts", "bytes_total", "typeof(summary)", "sent_batches", "sent_records",
                     "cursor_part", "cursor_line", "first_batch", "note", "typeof(started_at)", "finished_at"], order: "export")
                    == ["'e1'|'s'|'a.csv'|'focus'|'reading'|2|30|'blob'|0|0|-1|0|NULL|NULL|'integer'|NULL"])
            #expect(
                try Self.stored(
                    db, "billing_parts", ["export", "part", "name", "hash", "bytes", "stream_offset", "file_offset", "line", "rows", "done"],
                    order: "part") == ["'e1'|0|'a.csv'|'h0'|10|0|0|1|0|0", "'e1'|1|'b.csv'|'h1'|20|0|0|1|0|0"])

            let first = Self.chunk([
                (2, .usage(BillingItem(key: "k1", value: 1.5, record: Self.line("r1", value: 1.5))), ""),
                (3, .rejected("line 3: bad cost"), "x,y"),
            ])
            try BillingExportStore.store(
                db, export: "e1", part: 0, chunk: first, summary: first.summary, resumeAt: (offset: 40, line: 4), fileOffset: 38, done: false)
            let second = Self.chunk([
                (4, .usage(BillingItem(key: "k1", value: 2, record: Self.line("r1", value: 2))), ""),
                (5, .rejected("line 5: bad unit"), "z"),
            ])
            try BillingExportStore.store(
                db, export: "e1", part: 0, chunk: second, summary: second.summary, resumeAt: (offset: 60, line: 6), fileOffset: 55, done: true)
            #expect(
                try Self.stored(
                    db, "billing_parts", ["export", "part", "stream_offset", "file_offset", "line", "rows", "done"], order: "part")
                    == ["'e1'|0|60|55|6|4|1", "'e1'|1|0|0|1|0|0"])
            #expect(try Self.stored(db, "billing_items", ["export", "key", "part", "line", "value", "typeof(record)"], order: "key") == ["'e1'|'k1'|0|2|3.5|'blob'"])
            #expect(
                try Self.stored(db, "billing_failures", ["export", "part", "line", "message", "raw"], order: "line")
                    == ["'e1'|0|3|'line 3: bad cost'|'x,y'", "'e1'|0|5|'line 5: bad unit'|'z'"])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            #expect(try Data.fetchOne(db, sql: "SELECT summary FROM billing_exports") == (try encoder.encode(second.summary)))

            let read = try BillingExportStore.finishReading(db, export: "e1", summary: second.summary)
            #expect(read.usageRecords == 1)
            #expect(try Self.stored(db, "billing_exports", ["state"], order: "export") == ["'sending'"])
            let page = try BillingExportStore.page(db, export: "e1", after: .start, limit: 10)
            #expect(page.map(\.cursor) == [.init(part: 0, line: 2), .init(part: 0, line: 3), .init(part: 0, line: 5)])

            try BillingExportStore.sent(db, export: "e1", number: 0, batch: "b0", start: .start, end: .init(part: 0, line: 3), lines: 2)
            try BillingExportStore.sent(db, export: "e1", number: 1, batch: "b1", start: .init(part: 0, line: 3), end: .init(part: 0, line: 5), lines: 1)
            // Recorded again (found delivered after a restart): the batch's row is replaced.
            try BillingExportStore.sent(db, export: "e1", number: 1, batch: "b1", start: .init(part: 0, line: 3), end: .init(part: 0, line: 5), lines: 1)
            #expect(
                try Self.stored(db, "billing_batches", ["export", "number", "batch", "start_part", "start_line", "lines"], order: "number")
                    == ["'e1'|0|'b0'|-1|0|2", "'e1'|1|'b1'|0|3|1"])
            #expect(
                try Self.stored(db, "billing_exports", ["sent_batches", "sent_records", "cursor_part", "cursor_line", "first_batch"], order: "export")
                    == ["2|4|0|5|'b0'"])
            #expect(try BillingExportStore.batches(db, export: "e1").map(\.batch) == ["b0", "b1"])

            try BillingExportStore.rename(db, export: "e1", to: "c.csv")
            try BillingExportStore.finish(db, export: "e1", note: Data("{\"n\":1}".utf8))
            try BillingExportStore.rename(db, export: "e1", to: "d.csv")
            #expect(
                try Self.stored(db, "billing_exports", ["name", "state", "note", "typeof(finished_at)"], order: "export")
                    == ["'c.csv'|'done'|X'7B226E223A317D'|'integer'"])
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM billing_items") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM billing_failures") == 0)
            let export = try #require(try BillingExportStore.export(db, id: "e1"))
            #expect(export.state == .done && export.cursor == .init(part: 0, line: 5) && export.firstBatch == "b0" && export.sentRecords == 4)

            try BillingExportStore.receipt(db, source: "s", name: "c.csv", export: "e1", state: "done", note: Data("{}".utf8))
            try BillingExportStore.receipt(db, source: "s", name: "c.csv", export: nil, state: "failed", note: Data("no".utf8))
            #expect(
                try Self.stored(db, "billing_receipts", ["id", "source", "name", "export", "state", "note", "typeof(at)"], order: "id")
                    == ["1|'s'|'c.csv'|'e1'|'done'|X'7B7D'|'integer'", "2|'s'|'c.csv'|NULL|'failed'|X'6E6F'|'integer'"])
            let latest = try #require(try BillingExportStore.latestReceipt(db, source: "s", name: "c.csv"))
            #expect(latest.state == "failed" && latest.note == Data("no".utf8))

            try BillingExportStore.begin(db, id: "e2", source: "s", name: "gone.csv", format: .focus, parts: [("gone.csv", "h2", 5)], summary: summary)
            #expect(try BillingExportStore.dropAbandoned(db, source: "s", present: ["c.csv"]) == ["gone.csv"])
            #expect(try Self.stored(db, "billing_exports", ["export"], order: "export") == ["'e1'"])
            #expect(try Self.stored(db, "billing_parts", ["export", "part"], order: "part") == ["'e1'|0", "'e1'|1"])
        }
    }

    @Test func batchesDeliveriesAndATenantsEraseAreStoredAsBefore() throws {
        try database.write { db in
            try CollectorStore.insertBatch(
                db, meta: IngestBatchMeta(batch: "b1", entity: .activity, format: .ndjson, positions: [], tenant: "t1"), channel: "http",
                body: Data("{}\n".utf8), recordCount: 1, submitter: "alice")
            try CollectorStore.insertBatch(
                db, meta: IngestBatchMeta(batch: "b2", entity: .activity, format: .csv, positions: [], tenant: nil), channel: "file", body: Data("x\n".utf8),
                recordCount: 2)
            try CollectorStore.recordDelivery(db, key: "sha:1", batch: "b2", source: "drop")
            #expect(try CollectorStore.deliveredBatch(db, key: "sha:1") == "b2")
            #expect(try CollectorStore.deliveredBatch(db, key: "sha:2") == nil)
            #expect(try Self.stored(db, "deliveries", ["key", "batch", "source", "typeof(delivered_at)"], order: "key") == ["'sha:1'|'b2'|'drop'|'integer'"])
            #expect(
                try Self.stored(
                    db, "batches", ["id", "entity", "format", "channel", "typeof(received_at)", "record_count", "body", "verdict", "tenant", "submitter"],
                    order: "id")
                    == ["'b1'|'activity'|'ndjson'|'http'|'integer'|1|X''|NULL|'t1'|'alice'", "'b2'|'activity'|'csv'|'file'|'integer'|2|X''|NULL|NULL|NULL"])
            #expect(try Self.stored(db, "batch_bodies", ["batch", "body"], order: "batch") == ["'b1'|X'7B7D0A'", "'b2'|X'780A'"])

            let keeper = TenantBatchKeeper()
            let exported = try keeper.export(db, tenant: "t1")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let received = try Int64.fetchOne(db, sql: "SELECT received_at FROM batches WHERE id = 'b1'") ?? 0
            #expect(
                String(decoding: try encoder.encode(exported), as: UTF8.self)
                    == """
                    {"batches":[{"batch":"b1","body":"{}\\n","channel":"http","entity":"activity","format":"ndjson","received_at":\(received),\
                    "records":1,"submitter":"alice"}]}
                    """)
            // A batch whose body row is missing exports an empty body.
            try db.execute(sql: "DELETE FROM batch_bodies WHERE batch = 'b1'")
            #expect(String(decoding: try encoder.encode(try keeper.export(db, tenant: "t1")), as: UTF8.self).contains("\"body\":\"\""))
            try CollectorStore.insertBatch(
                db, meta: IngestBatchMeta(batch: "b3", entity: .activity, format: .ndjson, positions: [], tenant: "t1"), channel: "http",
                body: Data("{}\n".utf8), recordCount: 1, submitter: "bob")

            #expect(try keeper.erase(db, tenant: "t1", pseudonym: "erased-1") == ["batches": 2])
            #expect(
                try Self.stored(db, "batches", ["id", "body", "tenant", "submitter"], order: "id")
                    == ["'b1'|X''|'erased-1'|NULL", "'b2'|X''|NULL|NULL", "'b3'|X''|'erased-1'|NULL"])
            #expect(try Self.stored(db, "batch_bodies", ["batch", "body"], order: "batch") == ["'b2'|X'780A'", "'b3'|X''"])
            #expect(try keeper.erase(db, tenant: "t1", pseudonym: "erased-2") == ["batches": 0])
        }
    }
}
