import AccessControl
import Crypto
import Foundation

/// A signed head of the audit chain: how many rows the log had and the hash of the last one,
/// signed with auth's audit key. Kept outside the store, one line each, so that recomputing
/// the chain after an edit (the signed hash no longer matches) and cutting rows off the end
/// (the store has fewer rows than a signed head counts) are both detected.
///
/// An anchor is a head written deliberately rather than after an append — when a store is
/// re-hashed at an upgrade, or after a backup was restored (`auth anchor-audit`) — and says
/// why; heads before the latest anchor no longer bind the store.
struct AuditCheckpoint: Sendable, Hashable {
    /// A head signed after an append, or an anchor written on purpose.
    enum Kind: String, Sendable {
        case head, anchor
    }

    var kind: Kind
    /// The sequence number of the last row: the row count of an intact log.
    var rows: Int64
    /// The hash of row `rows`.
    var head: Data
    /// Unix seconds when it was signed.
    var at: Int64
    /// Why an anchor was written; empty for a head.
    var reason: String = ""

    static let magic = "carbonmeter-audit-checkpoint"
    static let version = "v1"

    /// The signed text: space-separated `name=value` fields in a fixed order. The reason is
    /// base64url, so a line is always one line whatever the reason says.
    var payload: String {
        let encodedReason = reason.isEmpty ? "-" : Base64URL.encode(Data(reason.utf8))
        return "\(Self.magic) \(Self.version) kind=\(kind.rawValue) rows=\(rows) head=\(Hex.encode(head)) at=\(at) reason=\(encodedReason)"
    }

    /// The line written to the checkpoint file (no newline): the payload and its signature.
    func line(signedWith key: Curve25519.Signing.PrivateKey) throws -> String {
        let signature = try key.signature(for: Data(payload.utf8))
        return "\(payload) sig=\(Base64URL.encode(signature))"
    }

    /// Reads one line back, checking its signature over the exact bytes of its payload.
    static func parse(_ line: some StringProtocol, verifyingWith key: Curve25519.Signing.PublicKey) -> Result<AuditCheckpoint, AuditCheckpointLineError> {
        guard let split = line.range(of: " sig=", options: .backwards) else { return .failure(.malformed("no signature")) }
        let payload = String(line[..<split.lowerBound])
        guard let signature = Base64URL.decode(line[split.upperBound...]) else { return .failure(.malformed("signature is not base64url")) }
        guard key.isValidSignature(signature, for: Data(payload.utf8)) else { return .failure(.badSignature) }
        let parts = payload.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 7, parts[0] == magic, parts[1] == version else { return .failure(.malformed("unknown format")) }
        func value(_ index: Int, _ name: String) -> Substring? {
            let part = parts[index]
            guard part.hasPrefix(name + "=") else { return nil }
            return part.dropFirst(name.count + 1)
        }
        guard let kind = value(2, "kind").flatMap({ Kind(rawValue: String($0)) }),
            let rows = value(3, "rows").flatMap({ Int64($0) }), rows >= 0,
            let head = value(4, "head").flatMap({ Hex.decode($0) }), head.count == 32,
            let at = value(5, "at").flatMap({ Int64($0) }),
            let encodedReason = value(6, "reason")
        else { return .failure(.malformed("a field is missing or malformed")) }
        var reason = ""
        if encodedReason != "-" {
            guard let bytes = Base64URL.decode(encodedReason) else { return .failure(.malformed("reason is not base64url")) }
            reason = String(decoding: bytes, as: UTF8.self)
        }
        return .success(AuditCheckpoint(kind: kind, rows: rows, head: head, at: at, reason: reason))
    }
}

/// Why a line of the checkpoint file was not accepted.
enum AuditCheckpointLineError: Error, Sendable, Hashable, CustomStringConvertible {
    case malformed(String)
    case badSignature

    var description: String {
        switch self {
        case .malformed(let what): return "not a checkpoint (\(what))"
        case .badSignature: return "its signature does not verify with the audit key (the line was edited or forged)"
        }
    }
}
