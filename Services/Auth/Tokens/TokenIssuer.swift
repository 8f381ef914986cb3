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
        typealias Columns = StoredSigningPublicKey.Columns
        // Read value by value, not as records: a row whose values are not a text and bytes (an
        // edited store) is left out here, and `verify` names a listed key that is not Ed25519.
        let rows = try Row.fetchAll(db, StoredSigningPublicKey.select(Columns.keyID, Columns.publicKey).order(Columns.createdAt))
        return SigningKeySet(
            keys: rows.compactMap { row in
                guard let keyID = String.fromDatabaseValue(row[Columns.keyID]), let raw = Data.fromDatabaseValue(row[Columns.publicKey]) else { return nil }
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
        try StoredToken(tokenID: tokenID, username: user.username, expiresAt: claims.expiresAt, revokedAt: nil).insert(db)
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
        // Only a revocation refuses the token here; one not on record is not refused for that.
        let revoked = try StoredToken.filter(key: claims.tokenID).select(StoredToken.Columns.revokedAt, as: Int64.self).fetchOne(db)
        return revoked == nil ? .success(claims) : .failure(.revoked)
    }

    static func revoke(_ db: Database, tokenID: String, now: Int64) throws -> Bool {
        let revoked = try StoredToken.filter(key: tokenID).filter(StoredToken.Columns.revokedAt == nil)
            .updateAll(db, StoredToken.Columns.revokedAt.set(to: now))
        return revoked > 0
    }

    /// Revoked tokens that have not expired yet (expired ones are refused anyway).
    static func revocations(_ db: Database, now: Int64) throws -> RevocationList {
        let ids = try StoredToken.filter(StoredToken.Columns.revokedAt != nil && StoredToken.Columns.expiresAt > now)
            .select(StoredToken.Columns.tokenID, as: String.self).fetchAll(db)
        return RevocationList(revokedTokenIDs: ids, asOf: now)
    }
}

/// A row of `signing_public_keys` in auth's store that does not hold an Ed25519 public key.
struct StoredPublicKeyError: Error, CustomStringConvertible {
    var keyID: String
    var reason: String

    var description: String { "signing_public_keys row \(keyID) of the store is not an Ed25519 public key (\(reason))" }
}
