import Crypto
import Foundation
import GRDB
import Logging
import Synchronization

/// Signs the audit chain's head into the checkpoint file after every committed transaction
/// that appended to the audit log, whichever code path appended (a login, a denial another
/// service reported, a command run on the host). Installed on auth's store for its lifetime.
///
/// The head is signed after the commit, never before: a signed head the store does not have
/// would read as a cut-off log. A crash between the two leaves the newest rows unsigned until
/// the next append signs a head that covers them; `verify-audit` reports them meanwhile.
final class AuditCheckpointWriter: TransactionObserver, Sendable {
    private let file: AuditCheckpointFile
    private let key: Curve25519.Signing.PrivateKey
    private let logger: Logger
    /// Whether the transaction under way touched the audit log.
    private let appended = Mutex(false)

    init(file: AuditCheckpointFile, key: Curve25519.Signing.PrivateKey, logger: Logger) {
        self.file = file
        self.key = key
        self.logger = logger
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { eventKind.tableName == "audit_log" }

    func databaseDidChange() { appended.withLock { $0 = true } }

    func databaseDidChange(with event: DatabaseEvent) { appended.withLock { $0 = true } }

    func databaseDidCommit(_ db: Database) {
        let signs = appended.withLock { touched in
            defer { touched = false }
            return touched
        }
        guard signs else { return }
        do {
            guard let head = try AuditLog.head(db) else { return }
            try file.append(AuditCheckpoint(kind: .head, rows: head.rows, head: head.hash, at: Int64(Date().timeIntervalSince1970)), key: key)
        } catch {
            logger.error(
                "could not sign the audit log's head: verify-audit will report the rows after the last checkpoint until a later append signs them",
                metadata: ["error": "\(error)"])
        }
    }

    func databaseDidRollback(_ db: Database) { appended.withLock { $0 = false } }
}
