import CarbonModel
import Contracts
import Foundation
import GRDB
import Logging
import Messaging

/// A service's durable queue of audit events for auth: `enqueue` writes an event into the
/// service's own store inside the caller's transaction (the batch and its audit row commit
/// together, or neither does); `run` delivers pending events to auth as `audit.event.v1`
/// requests and deletes each only after auth answered that it is in the chain. Auth appends each
/// event id once, so a delivery repeated after a lost reply or a restart is harmless.
public final class AuditOutbox: Sendable {
    // Raw SQL because an event is queued inside every audited ingest transaction, and the queue
    // is a sequence of opaque bodies read in order: there is no row to treat as a value.
    private let database: DatabasePool
    private let auth: RequestClient
    private let logger: Logger
    private let pollMilliseconds: Int

    public init(database: DatabasePool, auth: RequestClient, logger: Logger, pollMilliseconds: Int = 200) {
        self.database = database
        self.auth = auth
        self.logger = logger
        self.pollMilliseconds = pollMilliseconds
    }

    /// The table behind the queue, in the service's own store.
    public static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("audit-outbox-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE audit_outbox (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        body BLOB NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    """)
        }
    }

    /// Queues `event` in the caller's transaction.
    public static func enqueue(_ db: Database, _ event: AuditEvent) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO audit_outbox (id, body, created_at) VALUES (?, ?, ?)",
            arguments: [event.id, WireFrame.encodeJSON(event), Int64(Date().timeIntervalSince1970)])
    }

    /// Queues `event` in a transaction of its own (a denial: nothing else is written).
    public func record(_ event: AuditEvent) async throws {
        try await database.write { try Self.enqueue($0, event) }
    }

    /// Delivers pending events, oldest first, until cancelled; waits `pollMilliseconds` when
    /// there is nothing to send or auth does not answer.
    public func run() async {
        while !Task.isCancelled {
            let delivered = await deliverPending()
            // Fails only when cancelled, which ends the loop at its check.
            if delivered == 0 { try? await Task.sleep(for: .milliseconds(pollMilliseconds)) }
        }
    }

    /// One round: sends up to 100 pending events in order, stopping at the first failure so that
    /// the chain keeps their order. Returns how many auth confirmed.
    @discardableResult
    public func deliverPending() async -> Int {
        let pending: [(Int64, Data)]
        do {
            pending = try await database.read { db in
                try Row.fetchAll(db, sql: "SELECT seq, body FROM audit_outbox ORDER BY seq LIMIT 100").map { ($0["seq"], $0["body"]) }
            }
        } catch {
            logger.error("could not read the audit outbox", metadata: ["error": "\(error)"])
            return 0
        }
        var delivered = 0
        for (seq, body) in pending {
            do {
                let reply = try await auth.request(type: AuditEvent.messageType, body: body, timeoutMilliseconds: 5_000)
                guard reply.header.status ?? 200 == 200 else {
                    logger.warning("auth refused an audit event", metadata: ["status": "\(reply.header.status ?? 0)", "error": "\(reply.header.error ?? "")"])
                    break
                }
                try await database.write { try $0.execute(sql: "DELETE FROM audit_outbox WHERE seq = ?", arguments: [seq]) }
                delivered += 1
            } catch {
                logger.debug("audit event not delivered yet; will retry", metadata: ["error": "\(error)"])
                break
            }
        }
        return delivered
    }
}
