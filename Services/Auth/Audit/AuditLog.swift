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

/// The hash-chained audit log in auth's store. Each row's hash covers the previous row's hash
/// and the row's canonical encoding (`AuditRowEncoding`); after every transaction that appends,
/// the chain head is signed into the checkpoint file (`AuditCheckpointWriter`), so that a
/// recomputed chain and a cut-off tail are detected too (`AuditVerifier`). Appends happen in
/// the same transaction as the act they record.
///
/// Text fields go in and come out as bytes (`CAST(? AS TEXT)` of a blob, `CAST(… AS BLOB)`):
/// SQLite keeps every byte of a text value, but binding or reading a Swift string through the
/// C string API stops at the first NUL — a user name with a NUL would be stored cut short yet
/// hashed whole.
///
/// Raw SQL stays throughout: a record would bind and read text through the C string API, and
/// the hashed bytes must be exactly those stored.
enum AuditLog {
    static let genesis = AuditRowEncoding.genesis

    static func append(_ db: Database, _ entry: AuditEntry, at: Int64 = Int64(Date().timeIntervalSince1970)) throws {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        let seq: Int64 = (last.flatMap { Int64.fromDatabaseValue($0["seq"]) } ?? 0) + 1
        let previous = last.flatMap { Data.fromDatabaseValue($0["hash"]) } ?? genesis
        let fields = AuditRowFields(seq: seq, at: at, entry: entry)
        let hash = AuditRowEncoding.chainHash(previous: previous, row: fields)
        // An empty Data binds as NULL, hence the COALESCE; the tenant's flag keeps "absent"
        // and "empty" apart, as the hash does.
        try db.execute(
            sql: """
                INSERT INTO audit_log (seq, at, actor, action, tenant, outcome, detail, prev_hash, hash)
                VALUES (?, ?, \(text), \(text), IIF(?, \(text), NULL), \(text), \(text), ?, ?)
                """,
            arguments: [
                seq, at, fields.actor, fields.action, fields.tenant != nil, fields.tenant, fields.outcome, fields.detail, previous, hash,
            ])
    }

    /// A text value made from a bound blob, every byte kept.
    private static let text = "COALESCE(CAST(? AS TEXT), '')"

    /// The columns of a row with text fields as their stored bytes.
    private static let storedColumns = """
        seq, at, CAST(actor AS BLOB) AS actor, CAST(action AS BLOB) AS action, CAST(tenant AS BLOB) AS tenant,
        CAST(outcome AS BLOB) AS outcome, CAST(detail AS BLOB) AS detail, prev_hash, hash
        """

    /// The last row's sequence number and hash; nil when the log is empty.
    static func head(_ db: Database) throws -> (rows: Int64, hash: Data)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"),
            let seq = Int64.fromDatabaseValue(row["seq"])
        else { return nil }
        return (seq, Data.fromDatabaseValue(row["hash"]) ?? Data())
    }

    /// Every row as stored, in sequence order, read so that no edit (a text where an integer
    /// was, a NULL) can stop the read: it shows as a mismatch instead.
    static func storedRows(_ db: Database) throws -> [StoredAuditRow] {
        try Row.fetchAll(db, sql: "SELECT \(storedColumns) FROM audit_log ORDER BY seq").map(storedRow)
    }

    private static func storedRow(_ row: Row) -> StoredAuditRow {
        func bytes(_ column: String) -> Data? {
            switch (row[column] as DatabaseValue).storage {
            case .blob(let data): return data
            case .string(let text): return Data(text.utf8)
            case .null, .int64, .double: return nil
            }
        }
        func integer(_ column: String) -> Int64? {
            if case .int64(let value) = (row[column] as DatabaseValue).storage { return value }
            return nil
        }
        return StoredAuditRow(
            fields: AuditRowFields(
                seq: integer("seq") ?? 0, at: integer("at"), actor: bytes("actor"), action: bytes("action"), tenant: bytes("tenant"),
                outcome: bytes("outcome"), detail: bytes("detail")),
            previousHash: bytes("prev_hash"), hash: bytes("hash"))
    }

    /// The newest rows first, for `GET /v1/audit` and a tenant's export. Text fields are read
    /// whole (a NUL in a user name shows as `\u0000` in JSON, not as a shorter name).
    static func rows(_ db: Database, tenant: String?, limit: Int) throws -> [[String: String?]] {
        let sql =
            tenant == nil
            ? "SELECT \(storedColumns) FROM audit_log ORDER BY seq DESC LIMIT ?"
            : "SELECT \(storedColumns) FROM audit_log WHERE tenant = \(text) ORDER BY seq DESC LIMIT ?"
        let arguments: StatementArguments = tenant.map { [Data($0.utf8), limit] } ?? [limit]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            let stored = storedRow(row).fields
            func text(_ bytes: Data?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
            return [
                "seq": "\(stored.seq)", "at": stored.at.map { "\($0)" } ?? "", "actor": text(stored.actor), "action": text(stored.action),
                "tenant": text(stored.tenant), "outcome": text(stored.outcome), "detail": text(stored.detail),
            ]
        }
    }

    /// Re-hashes every row in the canonical form (a store written before it), following the
    /// stored order: rows keep their content and sequence numbers (a gap left by a deleted row
    /// stays a gap, and is reported); only the hashes change. Returns the rows re-hashed.
    static func rehashInCanonicalForm(_ db: Database) throws -> Int {
        var previous = genesis
        let rows = try storedRows(db)
        for row in rows {
            let hash = AuditRowEncoding.chainHash(previous: previous, row: row.fields)
            try db.execute(sql: "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", arguments: [previous, hash, row.fields.seq])
            previous = hash
        }
        return rows.count
    }
}
