import AccessControl
import CarbonModel
import Contracts
import Crypto
import Foundation
import GRDB

/// Signs access tokens with auth's Ed25519 key (`TokenSigningKey`, kept in a key file of its
/// own), records every issued token so that it can be revoked, and lists the revoked ones.
enum TokenIssuer {
    /// Every public key tokens may be signed with (the current one and earlier ones).
    static func publicKeys(_ db: Database) throws -> SigningKeySet {
        let rows = try Row.fetchAll(db, sql: "SELECT key_id, public_key FROM signing_public_keys ORDER BY created_at")
        return SigningKeySet(
            keys: rows.compactMap { row in
                guard let keyID = String.fromDatabaseValue(row["key_id"]), let raw = Data.fromDatabaseValue(row["public_key"]) else { return nil }
                return SigningKeySet.Key(keyID: keyID, publicKey: Base64URL.encode(raw))
            })
    }

    static func issue(
        _ db: Database, signing: TokenSigningKey, user: UserDirectory.User, ttlSeconds: Int64, now: Int64
    ) throws -> (token: String, claims: TokenClaims) {
        var generator = SystemRandomNumberGenerator()
        let tokenID = (0..<2).map { _ in String(generator.next() as UInt64, radix: 36) }.joined()
        let claims = TokenClaims(
            subject: user.username, tenant: user.tenant, role: user.role, issuedAt: now, expiresAt: now + ttlSeconds, tokenID: tokenID)
        try db.execute(
            sql: "INSERT INTO tokens (token_id, username, expires_at) VALUES (?, ?, ?)", arguments: [tokenID, user.username, claims.expiresAt])
        return (try AccessToken.sign(claims, key: signing.key, keyID: signing.keyID), claims)
    }

    /// Verifies a token auth issued, for auth's own routes (same checks as other services).
    /// A stored public key that is not an Ed25519 key is an error naming it: skipping it would
    /// refuse the tokens it signed as signed by an unknown key, without a word.
    static func verify(_ db: Database, token: String, now: Int64) throws -> Result<TokenClaims, TokenRejection> {
        var keys: [String: Curve25519.Signing.PublicKey] = [:]
        for key in try publicKeys(db).keys {
            do {
                guard let raw = Base64URL.decode(key.publicKey) else { throw StoredPublicKeyError(keyID: key.keyID, reason: "not base64url") }
                keys[key.keyID] = try Curve25519.Signing.PublicKey(rawRepresentation: raw)
            } catch let error as StoredPublicKeyError {
                throw error
            } catch {
                throw StoredPublicKeyError(keyID: key.keyID, reason: "\(error)")
            }
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

/// A row of `signing_public_keys` in auth's store that does not hold an Ed25519 public key.
struct StoredPublicKeyError: Error, CustomStringConvertible {
    var keyID: String
    var reason: String

    var description: String { "signing_public_keys row \(keyID) of the store is not an Ed25519 public key (\(reason))" }
}
