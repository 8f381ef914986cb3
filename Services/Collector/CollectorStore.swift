import CarbonModel
import Contracts
import Foundation
import GRDB

/// The collector's own store: every batch exactly as received, and the verdict the
/// preprocessor returned for it. Each batch is written together with its outbox message.
/// The verdict columns (`batches.verdict`, `batch_parts`) are read and written by
/// `VerdictTracker` alone.
enum CollectorStore {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("collector-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE batches (
                        id TEXT PRIMARY KEY,
                        entity TEXT NOT NULL,
                        format TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        received_at INTEGER NOT NULL,
                        record_count INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        verdict BLOB
                    ) WITHOUT ROWID;
                    """)
        }
        // A batch travels as one message per preprocessor shard; each part's verdict is kept
        // until all have answered, then merged into the batch's verdict.
        migrator.registerMigration("collector-v2") { db in
            try db.execute(
                sql: """
                    CREATE TABLE batch_parts (
                        message_id TEXT PRIMARY KEY,
                        batch TEXT NOT NULL REFERENCES batches(id),
                        part INTEGER NOT NULL,
                        verdict BLOB
                    ) WITHOUT ROWID;
                    CREATE INDEX batch_parts_batch ON batch_parts (batch);
                    """)
        }
        // Delivery keys of compiled-in sources (a dropped file's content hash, …), written in the
        // same transaction as their batch so that a source delivers each thing at most once.
        migrator.registerMigration("collector-v3") { db in
            try db.execute(
                sql: """
                    CREATE TABLE deliveries (
                        key TEXT PRIMARY KEY,
                        batch TEXT NOT NULL,
                        source TEXT NOT NULL,
                        delivered_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        // Who sent each batch (its tenant and subject), so that a tenant reads only its own verdicts.
        migrator.registerMigration("collector-v4") { db in
            try db.execute(sql: "ALTER TABLE batches ADD COLUMN tenant TEXT; ALTER TABLE batches ADD COLUMN submitter TEXT")
        }
        // Bodies (up to megabytes) out of the batch rows: SQLite rewrites a whole row, overflow
        // pages and all, when a verdict is stored on it, and walks the body's overflow chain to
        // read any column stored after it — together a third of the collector's CPU in the
        // profile (docs/PERFORMANCE.md). `batches.body` stays, empty, for the shipped schema.
        migrator.registerMigration("collector-v5-batch-bodies") { db in
            try db.execute(
                sql: """
                    CREATE TABLE batch_bodies (batch TEXT PRIMARY KEY, body BLOB NOT NULL);
                    INSERT INTO batch_bodies (batch, body) SELECT id, body FROM batches;
                    UPDATE batches SET body = X'';
                    """)
        }
    }

    /// The batch that carried `key`, if a batch with that delivery key was stored.
    static func deliveredBatch(_ db: Database, key: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT batch FROM deliveries WHERE key = ?", arguments: [key])
    }

    static func recordDelivery(_ db: Database, key: String, batch: String, source: String) throws {
        try db.execute(
            sql: "INSERT INTO deliveries (key, batch, source, delivered_at) VALUES (?, ?, ?, ?)",
            arguments: [key, batch, source, Int64(Date().timeIntervalSince1970)])
    }

    static func insertBatch(
        _ db: Database, meta: IngestBatchMeta, channel: String, body: Data, recordCount: Int, submitter: String? = nil
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO batches (id, entity, format, channel, received_at, record_count, body, tenant, submitter)
                VALUES (?, ?, ?, ?, ?, ?, X'', ?, ?)
                """,
            arguments: [
                meta.batch, meta.entity.rawValue, meta.format.rawValue, channel, Int64(Date().timeIntervalSince1970), recordCount,
                meta.tenant, submitter,
            ])
        try db.execute(sql: "INSERT INTO batch_bodies (batch, body) VALUES (?, ?)", arguments: [meta.batch, body])
    }
}
