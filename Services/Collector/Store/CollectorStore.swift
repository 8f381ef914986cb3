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
        // Raw SQL because a migration is applied once by its identifier: its DDL stays as shipped.
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
        try DeliveryRow.fetchOne(db, key: key)?.batch
    }

    static func recordDelivery(_ db: Database, key: String, batch: String, source: String) throws {
        try DeliveryRow(key: key, batch: batch, source: source, deliveredAt: Int64(Date().timeIntervalSince1970)).insert(db)
    }

    static func insertBatch(
        _ db: Database, meta: IngestBatchMeta, channel: String, body: Data, recordCount: Int, submitter: String? = nil
    ) throws {
        // Raw SQL because `body` must hold the empty blob X'' (bodies are in batch_bodies since
        // collector-v5), and an empty `Data` binds as NULL, which the NOT NULL column refuses.
        try db.execute(
            sql: """
                INSERT INTO batches (id, entity, format, channel, received_at, record_count, body, tenant, submitter)
                VALUES (?, ?, ?, ?, ?, ?, X'', ?, ?)
                """,
            arguments: [
                meta.batch, meta.entity.rawValue, meta.format.rawValue, channel, Int64(Date().timeIntervalSince1970), recordCount,
                meta.tenant, submitter,
            ])
        try BatchBodyRow(batch: meta.batch, body: body).insert(db)
    }
}

/// A batch as received: a row of `batches`, without its verdict (`VerdictTracker` alone reads
/// and writes it) or the `body` column (emptied since collector-v5; see `BatchBodyRow`). Read
/// and updated as values; not persistable: `CollectorStore.insertBatch` writes the whole row.
struct BatchRow: Decodable, Sendable, FetchableRecord, TableRecord {
    static let databaseTableName = "batches"
    var id: String
    var entity: String
    var format: String
    var channel: String
    var receivedAt: Int64
    var recordCount: Int64
    /// The tenant whose credentials sent the batch; nil for the provider's.
    var tenant: String?
    var submitter: String?

    enum CodingKeys: String, CodingKey {
        case id, entity, format, channel, tenant, submitter
        case receivedAt = "received_at", recordCount = "record_count"
    }
    enum Columns {
        static let id = Column(CodingKeys.id)
        static let receivedAt = Column(CodingKeys.receivedAt)
        static let tenant = Column(CodingKeys.tenant)
        static let submitter = Column(CodingKeys.submitter)
        /// Empty in every row since collector-v5; kept for the shipped schema.
        static let body = Column("body")
    }
    static var databaseSelection: [any SQLSelectable] {
        [Columns.id, Column(CodingKeys.entity), Column(CodingKeys.format), Column(CodingKeys.channel), Columns.receivedAt,
         Column(CodingKeys.recordCount), Columns.tenant, Columns.submitter]
    }

    /// The batch's body, in `batch_bodies`.
    static var body: HasOneAssociation<BatchRow, BatchBodyRow> {
        hasOne(BatchBodyRow.self, key: "body", using: ForeignKey([BatchBodyRow.Columns.batch], to: [Columns.id]))
    }
}

/// A batch's body exactly as received: a row of `batch_bodies`, out of the batch's row so that
/// storing a verdict does not rewrite megabytes (docs/PERFORMANCE.md).
struct BatchBodyRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "batch_bodies"
    var batch: String
    var body: Data

    enum Columns {
        static let batch = Column(CodingKeys.batch)
        static let body = Column(CodingKeys.body)
    }
}

/// A delivery key of a compiled-in source (a dropped file's content hash, …) and the batch
/// that delivered it: a row of `deliveries`.
struct DeliveryRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "deliveries"
    var key: String
    var batch: String
    var source: String
    var deliveredAt: Int64

    enum CodingKeys: String, CodingKey {
        case key, batch, source
        case deliveredAt = "delivered_at"
    }
}
