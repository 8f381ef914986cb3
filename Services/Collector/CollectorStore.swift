import CarbonModel
import Foundation
import GRDB
import Messaging

/// The collector's own store: every batch exactly as received, and the verdict the
/// preprocessor returned for it. Each batch is written together with its outbox message.
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
        // Delivery keys of compiled-in sources (a dropped file's content hash, …), written in the
        // same transaction as their batch so that a source delivers each thing at most once.
        migrator.registerMigration("collector-v2") { db in
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

    static func insertBatch(_ db: Database, meta: IngestBatchMeta, channel: String, body: Data, recordCount: Int) throws {
        try db.execute(
            sql: "INSERT INTO batches (id, entity, format, channel, received_at, record_count, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [meta.batch, meta.entity.rawValue, meta.format.rawValue, channel, Int64(Date().timeIntervalSince1970), recordCount, body])
    }

    static func storeVerdict(_ db: Database, batch: String, verdict: Data) throws {
        try db.execute(sql: "UPDATE batches SET verdict = ? WHERE id = ?", arguments: [verdict, batch])
    }

    /// The verdict of a batch, `.queued` while the preprocessor has not answered, nil if unknown.
    static func verdict(_ db: Database, batch: String) throws -> BatchVerdict? {
        guard let row = try Row.fetchOne(db, sql: "SELECT entity, record_count, verdict FROM batches WHERE id = ?", arguments: [batch]) else {
            return nil
        }
        if let data = row["verdict"] as Data?, let verdict = try? JSONDecoder().decode(BatchVerdict.self, from: data) {
            return verdict
        }
        return BatchVerdict(
            batch: batch, entity: IngestEntity(rawValue: row["entity"]) ?? .activity, status: .queued, received: row["record_count"])
    }
}
