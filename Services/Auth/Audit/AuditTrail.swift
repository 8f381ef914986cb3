import Crypto
import Foundation
import GRDB
import Logging

/// What makes auth's audit log tamper-evident beyond its hash chain: the audit key (its own
/// Ed25519 key file, not the token key and not in the store) and the file of signed
/// checkpoints. `prepare` sets them up when the store is opened; `writer` signs every append.
struct AuditTrail: Sendable {
    let file: AuditCheckpointFile
    let key: Curve25519.Signing.PrivateKey

    /// Reads the audit key, making one on first start.
    static func load(files: AuthFiles, logger: Logger) throws -> AuditTrail {
        let (key, created) = try Ed25519KeyFile.readOrCreate(files.auditKey)
        if created { logger.notice("new audit signing key", metadata: ["file": "\(files.auditKey)"]) }
        return AuditTrail(file: AuditCheckpointFile(path: files.auditCheckpoints), key: key)
    }

    /// The observer to install on the store: it signs the head after each append.
    func writer(logger: Logger) -> AuditCheckpointWriter { AuditCheckpointWriter(file: file, key: key, logger: logger) }

    /// Creates the checkpoint file for a new (empty) log and writes the anchor an upgrade asked
    /// for. A file missing beside a log that has rows is not re-created: it is reported, and
    /// only a deliberate `auth anchor-audit` starts a new one.
    func prepare(_ database: DatabasePool, logger: Logger) async throws {
        let (head, pending) = try await database.read { db in
            (try AuditLog.head(db), try StoredAuditMeta.fetchOne(db, key: StoredAuditMeta.pendingAnchor)?.value)
        }
        if let pending {
            if !file.exists { try file.create() }
            if let head {
                try file.append(
                    AuditCheckpoint(kind: .anchor, rows: head.rows, head: head.hash, at: Int64(Date().timeIntervalSince1970), reason: pending), key: key)
                logger.notice("audit log anchored by a first signed checkpoint", metadata: ["rows": "\(head.rows)", "reason": "\(pending)"])
            }
            try await database.write { _ = try StoredAuditMeta.deleteOne($0, key: StoredAuditMeta.pendingAnchor) }
        } else if !file.exists {
            if let head {
                logger.error(
                    """
                    the audit checkpoint file is missing while the audit log has rows: appends are not signed, and verify-audit \
                    fails, until `auth anchor-audit --reason …` after finding out why
                    """,
                    metadata: ["file": "\(file.path)", "rows": "\(head.rows)"])
            } else {
                try file.create()
            }
        }
    }

    /// Starts the checkpoints afresh from the log as it is now, saying why (after a backup was
    /// restored, or a checkpoint file was lost): appends an `audit.anchor` row that records the
    /// reason and what the checkpoints counted before, and signs an anchor for it. Heads signed
    /// before it no longer bind the store; `verify-audit` names the anchor it starts from.
    func anchor(_ database: DatabasePool, reason: String, actor: String) async throws -> AuditCheckpoint {
        var before = "no checkpoint file"
        if file.exists {
            let read = try file.read(publicKey: key.publicKey)
            before = "the signed checkpoints counted \(read.checkpoints.map(\.rows).max() ?? 0) rows"
            if !read.rejected.isEmpty { before += ", \(read.rejected.count) lines rejected" }
        } else {
            try file.create()
        }
        let previously = before
        let head = try await database.write { db in
            let rows = try AuditLog.head(db)?.rows ?? 0
            try AuditLog.append(
                db,
                AuditEntry(
                    actor: actor, action: "audit.anchor", tenant: nil, outcome: "success",
                    detail: "\(reason) (the log had \(rows) rows; \(previously))"))
            return try AuditLog.head(db)
        }
        guard let head else { throw AuditCheckpointFileError.io(path: file.path, reason: "the audit log is empty after an append") }
        let anchor = AuditCheckpoint(kind: .anchor, rows: head.rows, head: head.hash, at: Int64(Date().timeIntervalSince1970), reason: reason)
        try file.append(anchor, key: key)
        return anchor
    }
}

/// A named value about the audit log, beside it in the store: a row of `audit_meta`. Not part
/// of the hash chain.
struct StoredAuditMeta: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "audit_meta"
    /// The one name in use: the reason for an anchor that an upgrade asked for, written by
    /// migration auth-v3 and removed once `AuditTrail.prepare` has signed the anchor.
    static let pendingAnchor = "pending_anchor"
    var name: String
    var value: String
}
