import AccessControl
import Foundation
import GRDB

/// Why a tenant or user could not be created.
struct DirectoryError: Error, CustomStringConvertible {
    var status: Int
    var description: String
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
            throw DirectoryError(status: 400, description: "tenant: use 1–64 letters, digits, '-', '_' or '.'")
        }
        try db.execute(
            sql: "INSERT INTO tenants (tenant, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            arguments: [tenant, Int64(Date().timeIntervalSince1970)])
    }

    /// Inserts a user whose password was hashed already (hashing is slow; keep it out of the
    /// write transaction).
    static func createUser(_ db: Database, username: String, tenant: String?, role: Role, passwordHash: String) throws {
        guard validName(username) else { throw DirectoryError(status: 400, description: "username: use 1–64 letters, digits, '-', '_' or '.'") }
        if role == .providerAdmin, tenant != nil {
            throw DirectoryError(status: 400, description: "a provider_admin has no tenant")
        }
        if role == .tenantAdmin, tenant == nil { throw DirectoryError(status: 400, description: "a tenant_admin needs a tenant") }
        if let tenant { try createTenant(db, tenant: tenant) }
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE username = ?", arguments: [username]) == true {
            throw DirectoryError(status: 409, description: "user \(username) exists already")
        }
        try db.execute(
            sql: "INSERT INTO users (username, tenant, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [username, tenant, role.rawValue, passwordHash, Int64(Date().timeIntervalSince1970)])
    }

    static func user(_ db: Database, username: String) throws -> User? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT * FROM users WHERE username = ? AND disabled_at IS NULL", arguments: [username]),
            let role = Role(rawValue: row["role"])
        else { return nil }
        return User(username: row["username"], tenant: row["tenant"], role: role, passwordHash: row["password_hash"])
    }

    static func userCount(_ db: Database) throws -> Int { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") ?? 0 }

    static func validName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}
