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
