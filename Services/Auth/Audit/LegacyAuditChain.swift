import Foundation
import GRDB

/// The audit chain as stores kept it before the canonical encoding (format v1): hashed over
/// fields as GRDB read them, with no signed checkpoints. Read only to say — once, when such a
/// store is re-hashed at upgrade, or when `verify-audit` meets a store auth has not opened
/// since — whether the old chain was intact.
enum LegacyAuditChain {
    /// Every break of the v1 chain, in sequence order.
    static func verify(_ db: Database) throws -> (rows: Int, breaks: [AuditBreak]) {
        var breaks: [AuditBreak] = []
        var expectedSeq: Int64 = 1
        var previous = AuditRowEncoding.genesis
        var count = 0
        // Raw SQL, read value by value: an edited row (a text where an integer was) must show as a break, not fail a record's decoding.
        let cursor = try Row.fetchCursor(db, sql: "SELECT seq, at, actor, action, tenant, outcome, detail, prev_hash, hash FROM audit_log ORDER BY seq")
        while let row = try cursor.next() {
            count += 1
            let seq = Int64.fromDatabaseValue(row["seq"]) ?? 0
            if seq > expectedSeq {
                let place: AuditBreak.Place = seq - 1 == expectedSeq ? .row(expectedSeq) : .rows(expectedSeq...(seq - 1))
                breaks.append(AuditBreak(place: place, what: "missing (deleted)"))
            }
            let storedPrevious = Data.fromDatabaseValue(row["prev_hash"])
            let stored = Data.fromDatabaseValue(row["hash"])
            if seq == expectedSeq, storedPrevious != previous {
                breaks.append(AuditBreak(place: .row(seq), what: "does not follow row \(seq - 1) (a row before it was edited, deleted or reordered)"))
            } else if let at = Int64.fromDatabaseValue(row["at"]), let entry = entry(row),
                AuditRowEncoding.legacyChainHash(seq: seq, at: at, entry: entry, previous: storedPrevious ?? previous) == stored
            {
                // As appended.
            } else {
                breaks.append(AuditBreak(place: .row(seq), what: "edited (its contents do not match its hash) or moved from another position"))
            }
            previous = stored ?? Data()
            expectedSeq = seq + 1
        }
        return (count, breaks)
    }

    private static func entry(_ row: Row) -> AuditEntry? {
        guard let actor = String.fromDatabaseValue(row["actor"]), let action = String.fromDatabaseValue(row["action"]),
            let outcome = String.fromDatabaseValue(row["outcome"]), let detail = String.fromDatabaseValue(row["detail"])
        else { return nil }
        return AuditEntry(actor: actor, action: action, tenant: String.fromDatabaseValue(row["tenant"]), outcome: outcome, detail: detail)
    }
}
