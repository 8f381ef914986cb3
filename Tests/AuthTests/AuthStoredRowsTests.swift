import AccessControl
import Crypto
import Foundation
import GRDB
import Logging
import Testing

@testable import Auth

/// What auth's store holds, value by value (SQLite's `quote()`, which tells an integer from a
/// text and a blob from NULL), after the directory, token, key and login writes and a tenant's
/// erase: the stored bytes existing stores and backups were written with.
@Suite final class AuthStoredRowsTests {
    let folder: URL
    let files: AuthFiles
    let database: DatabasePool
    let logger = Logger(label: "test")

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cm-auth-rows-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        files = AuthFiles(dataDir: folder.path, instance: "auth")
        var migrator = DatabaseMigrator()
        IdentityStore.migrations(&migrator, files: files, logger: logger)
        database = try DatabasePool(path: files.store)
        try migrator.migrate(database)
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Each row of `table` as its columns' `quote()`s joined by `|`, in `order`.
    static func stored(_ db: Database, _ table: String, _ columns: [String], order: String) throws -> [String] {
        let quoted = columns.map { "quote(\($0))" }.joined(separator: " || '|' || ")
        return try String.fetchAll(db, sql: "SELECT \(quoted) FROM \(table) ORDER BY \(order)")
    }

    @Test func directoryTokensAndKeysAreStoredAsBefore() async throws {
        let signing = try await TokenSigningKey.load(database, file: files.signingKey, logger: logger)
        let publicKey = signing.key.publicKey.rawRepresentation.map { String(format: "%02X", $0) }.joined()
        try await database.write { db in
            #expect(
                try Self.stored(db, "signing_public_keys", ["key_id", "public_key", "typeof(created_at)"], order: "key_id")
                    == ["'\(signing.keyID)'|X'\(publicKey)'|'integer'"])
            try db.execute(sql: "UPDATE signing_public_keys SET created_at = 7")
        }
        // Loaded again (a restart): the listed key keeps its row.
        _ = try await TokenSigningKey.load(database, file: files.signingKey, logger: logger)
        try await database.write { db in
            #expect(try Self.stored(db, "signing_public_keys", ["key_id", "created_at"], order: "key_id") == ["'\(signing.keyID)'|7"])
            #expect(try TokenIssuer.publicKeys(db).keys.map(\.keyID) == [signing.keyID])

            try UserDirectory.createTenant(db, tenant: "t1")
            #expect(try Self.stored(db, "tenants", ["tenant", "typeof(created_at)"], order: "tenant") == ["'t1'|'integer'"])
            try db.execute(sql: "UPDATE tenants SET created_at = 5")
            try UserDirectory.createUser(db, username: "u1", tenant: "t1", role: .analyst, passwordHash: "hash")
            #expect(try Self.stored(db, "tenants", ["tenant", "created_at"], order: "tenant") == ["'t1'|5"])

            let user = try #require(try UserDirectory.user(db, username: "u1"))
            let kept = try TokenIssuer.issue(db, signing: signing, user: user, ttlSeconds: 100, now: 1000)
            let other = try TokenIssuer.issue(db, signing: signing, user: user, ttlSeconds: 5000, now: 1000)
            #expect(
                try Self.stored(db, "tokens", ["token_id", "username", "expires_at", "revoked_at"], order: "expires_at")
                    == ["'\(kept.claims.tokenID)'|'u1'|1100|NULL", "'\(other.claims.tokenID)'|'u1'|6000|NULL"])
            #expect(try TokenIssuer.verify(db, token: kept.token, now: 1000) == .success(kept.claims))
            #expect(try TokenIssuer.revoke(db, tokenID: kept.claims.tokenID, now: 1050))
            #expect(try !TokenIssuer.revoke(db, tokenID: kept.claims.tokenID, now: 1060))
            #expect(try TokenIssuer.verify(db, token: kept.token, now: 1051) == .failure(.revoked))
            #expect(try TokenIssuer.revocations(db, now: 1000).revokedTokenIDs == [kept.claims.tokenID])
            #expect(try TokenIssuer.revocations(db, now: 1100).revokedTokenIDs == [])

            let key = try IdentityStore.createKey(db, tenant: "t1", role: "collector")
            #expect(try IdentityStore.revoke(db, keyID: key.keyID))
            #expect(try !IdentityStore.revoke(db, keyID: key.keyID))
            #expect(try Self.stored(db, "api_keys", ["key_id", "typeof(revoked_at)"], order: "key_id") == ["'\(key.keyID)'|'integer'"])

            try db.execute(sql: "INSERT INTO login_attempts (username, failures, last_failure_at) VALUES ('u1', 1, 900), ('u9', 1, 900)")
            let erased = try TenantIdentities.erase(db, tenant: "t1", pseudonym: "p1", now: 3000)
            #expect(erased == ["users": 1, "api_keys": 1])
            #expect(
                try Self.stored(db, "tokens", ["token_id", "username", "expires_at", "revoked_at"], order: "expires_at")
                    == ["'\(kept.claims.tokenID)'|'p1'|1100|1050", "'\(other.claims.tokenID)'|'p1'|6000|3000"])
            #expect(try Self.stored(db, "login_attempts", ["username"], order: "username") == ["'u9'"])
            #expect(try Self.stored(db, "tenants", ["tenant"], order: "tenant") == [])
        }
    }

    @Test func loginAttemptsAreStoredAsBefore() async throws {
        let hasher = PasswordHasher(logN: 10)
        let hash = try hasher.hash("right")
        try await database.write { db in try UserDirectory.createUser(db, username: "u2", tenant: nil, role: .auditor, passwordHash: hash) }
        let login = LoginService(
            database: database, signing: TokenSigningKey(key: Curve25519.Signing.PrivateKey()),
            throttle: LoginThrottle(maxFailures: 2, lockoutSeconds: 600), tokenTTLSeconds: 60, hasher: hasher,
            workers: PasswordWorkers(workers: 1, queueLimit: 4), bootstrap: BootstrapAdmin(dataDir: folder.path), logger: logger)
        let columns = ["username", "failures", "typeof(last_failure_at)", "typeof(locked_until)"]

        _ = try await login.login(username: "u2", password: "wrong")
        _ = try await login.login(username: "nobody", password: "x")
        #expect(
            try await database.read { try Self.stored($0, "login_attempts", columns, order: "username") }
                == ["'nobody'|1|'integer'|'null'", "'u2'|1|'integer'|'null'"])
        _ = try await login.login(username: "u2", password: "wrong")
        #expect(
            try await database.read { try Self.stored($0, "login_attempts", columns, order: "username") }
                == ["'nobody'|1|'integer'|'null'", "'u2'|2|'integer'|'integer'"])
        try await database.write { try $0.execute(sql: "UPDATE login_attempts SET locked_until = NULL") }
        guard case .issued = try await login.login(username: "u2", password: "right") else {
            Issue.record("the right password was refused")
            return
        }
        #expect(try await database.read { try Self.stored($0, "login_attempts", ["username"], order: "username") } == ["'nobody'"])
    }
}
