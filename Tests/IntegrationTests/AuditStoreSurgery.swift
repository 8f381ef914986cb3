import Crypto
import Foundation
import GRDB

/// What someone with write access to auth's store does to it, written from the formats alone
/// (an independent reading of auth's canonical row encoding and of its old v1 hash): edits,
/// moves, deletions, and recomputing the chain to cover them.
enum AuditStoreSurgery {
    static let genesis = Data(count: 32)

    /// The v2 canonical encoding: tag, big-endian length or integer, bytes; NULL as one zero byte.
    static func chainHash(previous: Data, seq: Int64, at: Int64, fields: [Data?]) -> Data {
        func bytes(_ data: Data) -> Data { Data([0x02]) + withUnsafeBytes(of: UInt64(data.count).bigEndian) { Data($0) } + data }
        func integer(_ value: Int64) -> Data { Data([0x01]) + withUnsafeBytes(of: value.bigEndian) { Data($0) } }
        var encoded = bytes(Data("carbonmeter.audit.row.v2".utf8)) + integer(seq) + integer(at)
        for field in fields { encoded += field.map(bytes) ?? Data([0x00]) }
        return Data(SHA256.hash(data: bytes(previous) + encoded))
    }

    /// The v1 hash of stores written before the canonical encoding.
    static func legacyChainHash(previous: Data, seq: Int64, at: Int64, fields: [String?]) -> Data {
        var hasher = SHA256()
        hasher.update(data: previous)
        for field in ["\(seq)", "\(at)"] + fields.map({ $0 ?? "\u{0}" }) {
            let bytes = Data(field.utf8)
            hasher.update(data: Data("\(bytes.count):".utf8))
            hasher.update(data: bytes)
        }
        return Data(hasher.finalize())
    }

    /// Recomputes every row's hashes in the current format, in sequence order, as someone
    /// covering an edit would.
    static func rechain(_ db: Database) throws {
        var previous = genesis
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT seq, at, CAST(actor AS BLOB) AS actor, CAST(action AS BLOB) AS action, CAST(tenant AS BLOB) AS tenant,
                    CAST(outcome AS BLOB) AS outcome, CAST(detail AS BLOB) AS detail FROM audit_log ORDER BY seq
                """)
        for row in rows {
            let seq: Int64 = row["seq"]
            let fields: [Data?] = ["actor", "action", "tenant", "outcome", "detail"].map { Data.fromDatabaseValue(row[$0]) ?? nil }
            // A text '' casts to an empty blob, which GRDB reads as empty Data; NULL stays nil.
            let hash = chainHash(previous: previous, seq: seq, at: row["at"], fields: fields)
            try db.execute(sql: "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", arguments: [previous, hash, seq])
            previous = hash
        }
    }

    /// Opens a store for surgery (auth must be stopped).
    static func open(_ path: URL) throws -> DatabaseQueue { try DatabaseQueue(path: path.path) }
}
