import Foundation
import GRDB
import ServiceKit

/// A tenant of auth's directory: a row of `tenants`, made when its first user or key is.
struct StoredTenant: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "tenants"
    var tenant: String
    var createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case tenant
        case createdAt = "created_at"
    }
}

/// A user of auth's directory: a row of `users`. The password is kept only as its hash.
struct StoredUser: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "users"
    var username: String
    var tenant: String?
    var role: String
    var passwordHash: String
    var createdAt: Int64
    var disabledAt: Int64?

    enum CodingKeys: String, CodingKey {
        case username, tenant, role
        case passwordHash = "password_hash", createdAt = "created_at", disabledAt = "disabled_at"
    }
    enum Columns {
        static let username = Column(CodingKeys.username)
        static let tenant = Column(CodingKeys.tenant)
        static let disabledAt = Column(CodingKeys.disabledAt)
    }

    /// What a tenant's export shows of a user: never the password hash.
    var exported: JSONValue {
        .object(["username": .string(username), "role": .string(role), "created_at": .integer(createdAt), "disabled_at": .integer(disabledAt)])
    }
}

/// An API key: a row of `api_keys`. The secret is kept only as its SHA-256.
struct StoredAPIKey: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "api_keys"
    var keyID: String
    var tenant: String?
    var role: String
    var secretSHA256: Data
    var createdAt: Int64
    var revokedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case tenant, role
        case keyID = "key_id", secretSHA256 = "secret_sha256", createdAt = "created_at", revokedAt = "revoked_at"
    }
    enum Columns {
        static let keyID = Column(CodingKeys.keyID)
        static let tenant = Column(CodingKeys.tenant)
        static let revokedAt = Column(CodingKeys.revokedAt)
    }

    /// The key `keyID` when it is not revoked.
    static func active(_ db: Database, keyID: String) throws -> StoredAPIKey? {
        try StoredAPIKey.filter(Columns.keyID == keyID && Columns.revokedAt == nil).fetchOne(db)
    }

    /// What a tenant's export shows of a key: never the secret's hash.
    var exported: JSONValue {
        .object(["key_id": .string(keyID), "role": .string(role), "created_at": .integer(createdAt), "revoked_at": .integer(revokedAt)])
    }
}

/// A tenant's identities in auth's store, for its export and erase.
enum TenantIdentities {
    /// The tenant's users and keys (without secrets) and the audit rows about it.
    static func export(_ db: Database, tenant: String) throws -> JSONValue {
        let users = try StoredUser.filter(StoredUser.Columns.tenant == tenant).order(StoredUser.Columns.username).fetchAll(db)
        let keys = try StoredAPIKey.filter(StoredAPIKey.Columns.tenant == tenant).order(StoredAPIKey.Columns.keyID).fetchAll(db)
        let audit = try AuditLog.rows(db, tenant: tenant, limit: Int.max).map { row in JSONValue.object(row.mapValues { .string($0 ?? "") }) }
        return .object(["users": .array(users.map(\.exported)), "api_keys": .array(keys.map(\.exported)), "audit": .array(audit)])
    }

    /// Removes the tenant's users, keys and login state; its users' tokens are revoked and kept
    /// under `pseudonym` (they appear in audit details). Returns how many rows each table lost.
    static func erase(_ db: Database, tenant: String, pseudonym: String, now: Int64) throws -> [String: Int] {
        let usernames = try StoredUser.filter(StoredUser.Columns.tenant == tenant).fetchAll(db).map(\.username)
        for user in usernames {
            try StoredToken.filter(StoredToken.Columns.username == user).updateAll(
                db, [StoredToken.Columns.username.set(to: pseudonym), StoredToken.Columns.revokedAt.set(to: StoredToken.Columns.revokedAt ?? now)])
            try StoredLoginAttempts.deleteOne(db, key: user)
        }
        var changed: [String: Int] = [:]
        changed["users"] = try StoredUser.filter(StoredUser.Columns.tenant == tenant).deleteAll(db)
        changed["api_keys"] = try StoredAPIKey.filter(StoredAPIKey.Columns.tenant == tenant).deleteAll(db)
        try StoredTenant.deleteOne(db, key: tenant)
        return changed
    }
}
