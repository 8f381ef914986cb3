import AccessControl
import Foundation
import GRDB

/// Why a tenant or user could not be created.
enum DirectoryError: Error, CustomStringConvertible {
    /// A field breaks a rule (`field` names it).
    case invalid(field: String?, String)
    /// The user exists already.
    case exists(String)

    var description: String {
        switch self {
        case .invalid(_, let message), .exists(let message): message
        }
    }
}

/// Tenants and users in auth's store. A provider admin has no tenant; a tenant admin has one;
/// analysts, auditors and collectors may be either.
enum UserDirectory {
    struct User: Sendable {
        var username: String
        var tenant: String?
        var role: Role
        var passwordHash: String
    }

    static func createTenant(_ db: Database, tenant: String) throws {
        guard Self.validName(tenant) else {
            throw DirectoryError.invalid(field: "tenant", "tenant: use 1–64 letters, digits, '-', '_' or '.'")
        }
        // A tenant that exists keeps its row (and creation time).
        try StoredTenant(tenant: tenant, createdAt: Int64(Date().timeIntervalSince1970)).insert(db, onConflict: .ignore)
    }

    /// Inserts a user whose password was hashed already (hashing is slow; keep it out of the
    /// write transaction).
    static func createUser(_ db: Database, username: String, tenant: String?, role: Role, passwordHash: String) throws {
        guard validName(username) else { throw DirectoryError.invalid(field: "username", "username: use 1–64 letters, digits, '-', '_' or '.'") }
        if role == .providerAdmin, tenant != nil {
            throw DirectoryError.invalid(field: "tenant", "a provider_admin has no tenant")
        }
        if role == .tenantAdmin, tenant == nil { throw DirectoryError.invalid(field: "tenant", "a tenant_admin needs a tenant") }
        if let tenant { try createTenant(db, tenant: tenant) }
        if try StoredUser.exists(db, key: username) { throw DirectoryError.exists("user \(username) exists already") }
        try StoredUser(
            username: username, tenant: tenant, role: role.rawValue, passwordHash: passwordHash, createdAt: Int64(Date().timeIntervalSince1970),
            disabledAt: nil
        ).insert(db)
    }

    static func user(_ db: Database, username: String) throws -> User? {
        guard let stored = try StoredUser.filter(StoredUser.Columns.username == username && StoredUser.Columns.disabledAt == nil).fetchOne(db),
            let role = Role(rawValue: stored.role)
        else { return nil }
        return User(username: stored.username, tenant: stored.tenant, role: role, passwordHash: stored.passwordHash)
    }

    static func userCount(_ db: Database) throws -> Int { try StoredUser.fetchCount(db) }

    static func validName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}
