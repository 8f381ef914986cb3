import Foundation
import GRDB

/// An access token auth issued: a row of `tokens`, kept so that it can be revoked (the token
/// itself is signed and never stored).
struct StoredToken: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "tokens"
    var tokenID: String
    /// The user it was issued to (a pseudonym once the user's tenant is erased).
    var username: String
    var expiresAt: Int64
    var revokedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case username
        case tokenID = "token_id", expiresAt = "expires_at", revokedAt = "revoked_at"
    }
    enum Columns {
        static let tokenID = Column(CodingKeys.tokenID)
        static let username = Column(CodingKeys.username)
        static let expiresAt = Column(CodingKeys.expiresAt)
        static let revokedAt = Column(CodingKeys.revokedAt)
    }
}

/// The public half of a token signing key, current or earlier: a row of `signing_public_keys`.
/// The private half is in the key file (`TokenSigningKey`), never in the store.
struct StoredSigningPublicKey: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "signing_public_keys"
    /// Derived from the public key (`TokenSigningKey.keyID(of:)`).
    var keyID: String
    /// The raw Ed25519 public key (32 bytes).
    var publicKey: Data
    var createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case keyID = "key_id", publicKey = "public_key", createdAt = "created_at"
    }
    enum Columns {
        static let keyID = Column(CodingKeys.keyID)
        static let publicKey = Column(CodingKeys.publicKey)
        static let createdAt = Column(CodingKeys.createdAt)
    }
}
