import AccessControl
import CarbonModel
import Crypto
import Foundation
import GRDB

/// Signs access tokens with auth's Ed25519 key (created on first use and kept in auth's store),
/// records every issued token so that it can be revoked, and lists the revoked ones.
enum TokenIssuer {
    struct SigningKey: Sendable {
        var keyID: String
        var key: Curve25519.Signing.PrivateKey
    }

    static func signingKey(_ db: Database) throws -> SigningKey {
        if let row = try Row.fetchOne(db, sql: "SELECT key_id, private_key FROM signing_keys ORDER BY created_at DESC LIMIT 1") {
            let raw: Data = row["private_key"]
            return SigningKey(keyID: row["key_id"], key: try Curve25519.Signing.PrivateKey(rawRepresentation: raw))
        }
        let key = Curve25519.Signing.PrivateKey()
        // The key id is derived from the public key, so it names the key wherever it travels.
        let keyID = String(Base64URL.encode(Data(SHA256.hash(data: key.publicKey.rawRepresentation))).prefix(16))
        try db.execute(
            sql: "INSERT INTO signing_keys (key_id, private_key, created_at) VALUES (?, ?, ?)",
            arguments: [keyID, key.rawRepresentation, Int64(Date().timeIntervalSince1970)])
        return SigningKey(keyID: keyID, key: key)
    }

    static func publicKeys(_ db: Database) throws -> SigningKeySet {
        let rows = try Row.fetchAll(db, sql: "SELECT key_id, private_key FROM signing_keys")
        return SigningKeySet(
            keys: try rows.map { row in
                let key = try Curve25519.Signing.PrivateKey(rawRepresentation: row["private_key"] as Data)
                return SigningKeySet.Key(keyID: row["key_id"], publicKey: Base64URL.encode(key.publicKey.rawRepresentation))
            })
    }

    static func issue(_ db: Database, user: UserDirectory.User, ttlSeconds: Int64, now: Int64) throws -> (token: String, claims: TokenClaims) {
        let signing = try signingKey(db)
        var generator = SystemRandomNumberGenerator()
        let tokenID = (0..<2).map { _ in String(generator.next() as UInt64, radix: 36) }.joined()
        let claims = TokenClaims(
            subject: user.username, tenant: user.tenant, role: user.role, issuedAt: now, expiresAt: now + ttlSeconds, tokenID: tokenID)
        try db.execute(
            sql: "INSERT INTO tokens (token_id, username, expires_at) VALUES (?, ?, ?)", arguments: [tokenID, user.username, claims.expiresAt])
        return (try AccessToken.sign(claims, key: signing.key, keyID: signing.keyID), claims)
    }

    /// Verifies a token auth issued, for auth's own routes (same checks as other services).
    static func verify(_ db: Database, token: String, now: Int64) throws -> Result<TokenClaims, TokenRejection> {
        let keys = try publicKeys(db).keys.reduce(into: [String: Curve25519.Signing.PublicKey]()) { keys, key in
            if let raw = Base64URL.decode(key.publicKey) { keys[key.keyID] = try? .init(rawRepresentation: raw) }
        }
        let claims: TokenClaims
        do { claims = try AccessToken.verify(token, keys: keys, now: now) } catch { return .failure(error) }
        let revoked = try Int64.fetchOne(db, sql: "SELECT revoked_at FROM tokens WHERE token_id = ?", arguments: [claims.tokenID])
        return revoked == nil ? .success(claims) : .failure(.revoked)
    }

    static func revoke(_ db: Database, tokenID: String, now: Int64) throws -> Bool {
        try db.execute(sql: "UPDATE tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL", arguments: [now, tokenID])
        return db.changesCount > 0
    }

    /// Revoked tokens that have not expired yet (expired ones are refused anyway).
    static func revocations(_ db: Database, now: Int64) throws -> RevocationList {
        let ids = try String.fetchAll(db, sql: "SELECT token_id FROM tokens WHERE revoked_at IS NOT NULL AND expires_at > ?", arguments: [now])
        return RevocationList(revokedTokenIDs: ids, asOf: now)
    }
}
