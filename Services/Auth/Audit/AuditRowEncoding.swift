import Crypto
import Foundation

/// The fields of one audit row exactly as stored: text fields as their stored bytes (a NUL or
/// any other byte is part of the value), absent ones as nil. Both the append and the
/// verification hash this, so what is hashed is what is stored.
struct AuditRowFields: Sendable, Hashable {
    var seq: Int64
    /// Nil when the stored value is not an integer (only an edit can make it so).
    var at: Int64?
    var actor: Data?
    var action: Data?
    var tenant: Data?
    var outcome: Data?
    var detail: Data?

    init(seq: Int64, at: Int64?, actor: Data?, action: Data?, tenant: Data?, outcome: Data?, detail: Data?) {
        (self.seq, self.at, self.actor, self.action, self.tenant, self.outcome, self.detail) = (seq, at, actor, action, tenant, outcome, detail)
    }

    init(seq: Int64, at: Int64, entry: AuditEntry) {
        self.init(
            seq: seq, at: at, actor: Data(entry.actor.utf8), action: Data(entry.action.utf8), tenant: entry.tenant.map { Data($0.utf8) },
            outcome: Data(entry.outcome.utf8), detail: Data(entry.detail.utf8))
    }
}

/// How an audit row is hashed into the chain: a canonical, length-prefixed encoding, so that
/// no two different rows encode alike — no field can bleed into the next, an absent tenant
/// differs from every present one, and no byte (NUL included) ends a field early.
enum AuditRowEncoding {
    /// The hash before the first row.
    static let genesis = Data(count: 32)
    /// Names the format, so a hash of this version never equals a hash of another.
    static let domain = Data("carbonmeter.audit.row.v2".utf8)

    /// The byte before each field: what follows it.
    private enum Tag: UInt8 {
        case absent = 0x00
        case integer = 0x01
        case bytes = 0x02
    }

    /// `domain`, then each field in a fixed order: a tag byte, and for an integer its 8 bytes
    /// big-endian, for bytes their count as 8 bytes big-endian followed by the bytes.
    static func canonicalBytes(_ row: AuditRowFields) -> Data {
        var out = Data()
        appendBytes(domain, to: &out)
        appendInteger(row.seq, to: &out)
        if let at = row.at { appendInteger(at, to: &out) } else { out.append(Tag.absent.rawValue) }
        for field in [row.actor, row.action, row.tenant, row.outcome, row.detail] {
            if let field { appendBytes(field, to: &out) } else { out.append(Tag.absent.rawValue) }
        }
        return out
    }

    /// SHA-256 over the previous row's hash (length-prefixed) and the row's canonical bytes.
    static func chainHash(previous: Data, row: AuditRowFields) -> Data {
        var prefix = Data()
        appendBytes(previous, to: &prefix)
        var hasher = SHA256()
        hasher.update(data: prefix)
        hasher.update(data: canonicalBytes(row))
        return Data(hasher.finalize())
    }

    /// The hash of format v1 (before the canonical encoding), over fields as GRDB read them
    /// (text cut at the first NUL). Kept only to report, once, whether a store's old chain was
    /// intact when it is re-hashed in the current format.
    static func legacyChainHash(seq: Int64, at: Int64, entry: AuditEntry, previous: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: previous)
        for field in ["\(seq)", "\(at)", entry.actor, entry.action, entry.tenant ?? "\u{0}", entry.outcome, entry.detail] {
            let bytes = Data(field.utf8)
            hasher.update(data: Data("\(bytes.count):".utf8))
            hasher.update(data: bytes)
        }
        return Data(hasher.finalize())
    }

    private static func appendInteger(_ value: Int64, to out: inout Data) {
        out.append(Tag.integer.rawValue)
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }

    private static func appendBytes(_ bytes: Data, to out: inout Data) {
        out.append(Tag.bytes.rawValue)
        withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { out.append(contentsOf: $0) }
        out.append(bytes)
    }
}
