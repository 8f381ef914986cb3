import Crypto
import Foundation
import GRDB

/// One entry of the audit log, before it is chained.
struct AuditEntry: Sendable, Hashable {
    /// Who acted: a user name, `key:<id>`, `cli:<os user>`, or `anonymous`.
    var actor: String
    /// What, e.g. `login`, `apikey.create`, `denied GET /v1/emissions`.
    var action: String
    var tenant: String?
    /// `success`, `failure` or `denied`.
    var outcome: String
    var detail: String
}

/// The first place where the stored chain differs from what was appended.
struct AuditBreak: Sendable, Hashable, CustomStringConvertible {
    var seq: Int64
    var what: String
    var description: String { "audit row \(seq): \(what)" }
}

/// The hash-chained audit log in auth's store. Each row's hash covers its sequence number, its
/// fields and the previous row's hash, so editing, deleting or reordering any row breaks the
/// chain from that row on; `verify` names the first row where it breaks. Appends happen in the
/// same transaction as the act they record.
enum AuditLog {
    static let genesis = Data(count: 32)

    static func append(_ db: Database, _ entry: AuditEntry, at: Int64 = Int64(Date().timeIntervalSince1970)) throws {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        let seq: Int64 = (last?["seq"] ?? 0) + 1
        let previous: Data = last?["hash"] ?? genesis
        let hash = chainHash(seq: seq, at: at, entry: entry, previous: previous)
        try db.execute(
            sql: "INSERT INTO audit_log (seq, at, actor, action, tenant, outcome, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [seq, at, entry.actor, entry.action, entry.tenant, entry.outcome, entry.detail, previous, hash])
    }

    /// SHA-256 over the previous hash and a length-prefixed encoding of the row, so that no two
    /// different rows encode alike (fields cannot bleed into each other).
    static func chainHash(seq: Int64, at: Int64, entry: AuditEntry, previous: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: previous)
        for field in ["\(seq)", "\(at)", entry.actor, entry.action, entry.tenant ?? "\u{0}", entry.outcome, entry.detail] {
            let bytes = Data(field.utf8)
            hasher.update(data: Data("\(bytes.count):".utf8))
            hasher.update(data: bytes)
        }
        return Data(hasher.finalize())
    }

    /// Walks the chain in sequence order; nil when it is intact. Returns the row count too.
    static func verify(_ db: Database) throws -> (rows: Int, firstBreak: AuditBreak?) {
        var expectedSeq: Int64 = 1
        var previous = genesis
        var count = 0
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY seq")
        while let row = try cursor.next() {
            count += 1
            let seq: Int64 = row["seq"]
            if seq != expectedSeq {
                return (count, AuditBreak(seq: expectedSeq, what: "missing (deleted); the chain continues at row \(seq)"))
            }
            let entry = AuditEntry(actor: row["actor"], action: row["action"], tenant: row["tenant"], outcome: row["outcome"], detail: row["detail"])
            let storedPrevious: Data = row["prev_hash"]
            let stored: Data = row["hash"]
            if storedPrevious != previous {
                return (count, AuditBreak(seq: seq, what: "does not follow row \(seq - 1) (a row before it was edited, deleted or reordered)"))
            }
            if chainHash(seq: seq, at: row["at"], entry: entry, previous: previous) != stored {
                return (count, AuditBreak(seq: seq, what: "edited (its contents do not match its hash) or moved from another position"))
            }
            previous = stored
            expectedSeq += 1
        }
        return (count, nil)
    }

    static func rows(_ db: Database, tenant: String?, limit: Int) throws -> [[String: String?]] {
        let sql =
            tenant == nil
            ? "SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?" : "SELECT * FROM audit_log WHERE tenant = ? ORDER BY seq DESC LIMIT ?"
        let arguments: StatementArguments = tenant.map { [$0, limit] } ?? [limit]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            [
                "seq": "\(row["seq"] as Int64)", "at": "\(row["at"] as Int64)", "actor": row["actor"], "action": row["action"],
                "tenant": row["tenant"], "outcome": row["outcome"], "detail": row["detail"],
            ]
        }
    }
}
