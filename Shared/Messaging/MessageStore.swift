import Foundation
import GRDB

/// The outbox and inbox tables that make every hop reliable. Each service adds these
/// migrations to its own store; the service writes outbox rows and inbox ids in the same
/// transaction as its own state.
public enum MessageStore {
    // Raw SQL throughout: every message of every hop is written to an outbox and recorded in an
    // inbox through these statements, on the path scripts/bench measures.
    public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("messaging-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE outbox (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        message_id TEXT NOT NULL UNIQUE,
                        type TEXT NOT NULL,
                        header BLOB NOT NULL,
                        body BLOB NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE TABLE inbox (
                        message_id TEXT PRIMARY KEY,
                        type TEXT NOT NULL,
                        result BLOB NOT NULL,
                        processed_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        // A message addressed to one shard goes only to the consumer replica that owns it.
        migrator.registerMigration("messaging-v2") { db in
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN shard INTEGER")
            try db.execute(sql: "CREATE INDEX outbox_shard_seq ON outbox (shard, seq)")
        }
    }

    /// Adds a message to the outbox, for any consumer or (with `shard`) only for the consumer
    /// replica that owns that shard. An id already present is ignored, which makes
    /// deterministic output ids idempotent.
    public static func enqueue(_ db: Database, header: EnvelopeHeader, body: Data, shard: Int? = nil) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO outbox (message_id, type, header, body, created_at, shard) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [header.id, header.type, WireFrame.encodeJSON(header), body, Int64(Date().timeIntervalSince1970), shard])
    }

    /// The result recorded when the message was first processed, or nil if it is new.
    public static func processedResult(_ db: Database, messageID: String) throws -> Data? {
        try Data.fetchOne(db, sql: "SELECT result FROM inbox WHERE message_id = ?", arguments: [messageID])
    }

    /// Records that a message was applied, with the result its acknowledgement carries.
    public static func recordProcessed(_ db: Database, header: EnvelopeHeader, result: Data) throws {
        try db.execute(
            sql: "INSERT INTO inbox (message_id, type, result, processed_at) VALUES (?, ?, ?, ?)",
            arguments: [header.id, header.type, result, Int64(Date().timeIntervalSince1970)])
    }

    public static func outboxCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0
    }

    public static func inboxCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inbox") ?? 0
    }
}
