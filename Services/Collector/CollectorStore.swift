import CarbonModel
import Contracts
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

    static func insertPart(_ db: Database, messageID: String, batch: String, part: Int) throws {
        try db.execute(
            sql: "INSERT INTO batch_parts (message_id, batch, part) VALUES (?, ?, ?)", arguments: [messageID, batch, part])
    }

    /// Records a part's verdict; when every part has answered, stores the merged verdict on the
    /// batch. Returns the batch id when it became complete. Throws `UnreadableVerdict` when a
    /// part's verdict does not decode (the part's verdict is stored all the same, and the batch
    /// stays incomplete): the caller logs it, since the batch would otherwise wait for good
    /// without a word.
    static func storePartVerdict(_ db: Database, messageID: String, verdict: Data) throws -> String? {
        guard let batch = try String.fetchOne(db, sql: "SELECT batch FROM batch_parts WHERE message_id = ?", arguments: [messageID]) else {
            return nil
        }
        try db.execute(sql: "UPDATE batch_parts SET verdict = ? WHERE message_id = ?", arguments: [verdict, messageID])
        let parts = try Row.fetchAll(db, sql: "SELECT part, verdict FROM batch_parts WHERE batch = ? ORDER BY part", arguments: [batch])
        let decoder = JSONDecoder()
        var verdicts: [BatchVerdict] = []
        for part in parts {
            // A part without a verdict has not answered yet.
            guard let data = part["verdict"] as Data? else { return nil }
            do { verdicts.append(try decoder.decode(BatchVerdict.self, from: data)) } catch {
                throw UnreadableVerdict(batch: batch, part: part["part"], reason: "\(error)")
            }
        }
        guard let merged = BatchVerdict.merging(verdicts) else { return nil }
        try storeVerdict(db, batch: batch, verdict: WireFrame.encodeJSON(merged))
        return batch
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

    /// Whether a batch exists and, if so, the tenant that sent it (inner nil: the provider).
    static func batchTenant(_ db: Database, batch: String) throws -> String?? {
        guard let row = try Row.fetchOne(db, sql: "SELECT tenant FROM batches WHERE id = ?", arguments: [batch]) else { return nil }
        return .some(row["tenant"] as String?)
    }

    static func storeVerdict(_ db: Database, batch: String, verdict: Data) throws {
        try db.execute(sql: "UPDATE batches SET verdict = ? WHERE id = ?", arguments: [verdict, batch])
    }

    /// The verdict of a batch, `.queued` while the preprocessor has not answered, nil if unknown.
    /// Throws `UnreadableVerdict` when the stored verdict does not decode, rather than
    /// answering `.queued` for a batch that was answered.
    static func verdict(_ db: Database, batch: String) throws -> BatchVerdict? {
        guard let row = try Row.fetchOne(db, sql: "SELECT entity, record_count, verdict FROM batches WHERE id = ?", arguments: [batch]) else {
            return nil
        }
        if let data = row["verdict"] as Data? {
            do { return try JSONDecoder().decode(BatchVerdict.self, from: data) } catch {
                throw UnreadableVerdict(batch: batch, part: nil, reason: "\(error)")
            }
        }
        return BatchVerdict(
            batch: batch, entity: IngestEntity(rawValue: row["entity"]) ?? .activity, status: .queued, received: row["record_count"])
    }
}

/// A verdict in the collector's store that does not decode: a part's, as the preprocessor
/// returned it, or a batch's merged one. Names the batch (and part) so it can be looked at.
struct UnreadableVerdict: Error, CustomStringConvertible {
    var batch: String
    /// nil: the batch's merged verdict.
    var part: Int?
    var reason: String

    var description: String {
        if let part { return "the verdict of part \(part) of batch \(batch) does not decode: \(reason)" }
        return "the stored verdict of batch \(batch) does not decode: \(reason)"
    }
}
