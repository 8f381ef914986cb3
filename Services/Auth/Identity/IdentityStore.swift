import CarbonModel
import Contracts
import Crypto
import Foundation
import GRDB
import AccessControl
import Logging

/// Auth's own store: API keys (hashed; the secret is shown once at creation and never kept),
/// tenants, users (passwords as scrypt hashes), login attempts, the public halves of the token
/// signing keys (the private key is in a key file, see `TokenSigningKey`), issued tokens (for
/// revocation) and the hash-chained audit log.
enum IdentityStore {
    static let roles = Role.allCases.map(\.rawValue)

    /// `files` and `logger` serve the v3 migration, which moves an old store's private signing
    /// key into its key file and re-hashes the audit log in the canonical form.
    static func migrations(_ migrator: inout DatabaseMigrator, files: AuthFiles, logger: Logger) {
        // Raw SQL because a migration is applied once by its identifier: its DDL stays as shipped.
        migrator.registerMigration("auth-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE api_keys (
                        key_id TEXT PRIMARY KEY,
                        tenant TEXT,
                        role TEXT NOT NULL,
                        secret_sha256 BLOB NOT NULL,
                        created_at INTEGER NOT NULL,
                        revoked_at INTEGER
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("auth-v2") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tenants (
                        tenant TEXT PRIMARY KEY,
                        created_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE users (
                        username TEXT PRIMARY KEY,
                        tenant TEXT REFERENCES tenants (tenant),
                        role TEXT NOT NULL,
                        password_hash TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        disabled_at INTEGER
                    ) WITHOUT ROWID;
                    CREATE TABLE login_attempts (
                        username TEXT PRIMARY KEY,
                        failures INTEGER NOT NULL,
                        last_failure_at INTEGER NOT NULL,
                        locked_until INTEGER
                    ) WITHOUT ROWID;
                    CREATE TABLE signing_keys (
                        key_id TEXT PRIMARY KEY,
                        private_key BLOB NOT NULL,
                        created_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE tokens (
                        token_id TEXT PRIMARY KEY,
                        username TEXT NOT NULL,
                        expires_at INTEGER NOT NULL,
                        revoked_at INTEGER
                    ) WITHOUT ROWID;
                    CREATE INDEX tokens_revoked ON tokens (expires_at) WHERE revoked_at IS NOT NULL;
                    CREATE TABLE audit_log (
                        seq INTEGER PRIMARY KEY,
                        at INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        tenant TEXT,
                        outcome TEXT NOT NULL,
                        detail TEXT NOT NULL,
                        prev_hash BLOB NOT NULL,
                        hash BLOB NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("auth-v3") { db in
            try TokenSigningKey.moveOutOfStore(db, file: files.signingKey, logger: logger)
            try db.execute(sql: "CREATE TABLE audit_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
            try upgradeAuditLog(db, logger: logger)
        }
    }

    /// Re-hashes an existing audit log in the canonical form, saying in the log itself (an
    /// `audit.rehash` row) and in the service log whether the old chain was intact, and asks
    /// for a first signed checkpoint (written by `AuditTrail.prepare` once the keys are loaded).
    private static func upgradeAuditLog(_ db: Database, logger: Logger) throws {
        let legacy = try LegacyAuditChain.verify(db)
        guard legacy.rows > 0 else { return }
        let rehashed = try AuditLog.rehashInCanonicalForm(db)
        let shown = legacy.breaks.prefix(20).map(\.description).joined(separator: "; ")
        let verdict =
            legacy.breaks.isEmpty
            ? "the old chain was intact"
            : "the old chain was BROKEN (\(legacy.breaks.count) findings: \(shown)\(legacy.breaks.count > 20 ? "; …" : ""))"
        let reason = "upgrade: \(rehashed) rows re-hashed in the canonical form; \(verdict)"
        try AuditLog.append(
            db, AuditEntry(actor: "auth", action: "audit.rehash", tenant: nil, outcome: legacy.breaks.isEmpty ? "success" : "failure", detail: reason))
        // Raw SQL because a migration must keep doing what it did when shipped, whatever the
        // record types become (GRDB's advice for migrations).
        try db.execute(sql: "INSERT INTO audit_meta (name, value) VALUES ('pending_anchor', ?)", arguments: [reason])
        logger.log(
            level: legacy.breaks.isEmpty ? .notice : .error, "audit log re-hashed in the canonical form at upgrade",
            metadata: ["rows": "\(rehashed)", "old_chain": "\(verdict)"])
    }

    /// Creates a key and returns it in full — the only time it exists outside the holder's hands.
    static func createKey(_ db: Database, tenant: String?, role: String) throws -> (keyID: String, key: String) {
        var generator = SystemRandomNumberGenerator()
        let keyID = (0..<2).map { _ in String(generator.next() as UInt32, radix: 16) }.joined()
        let secret = (0..<4).map { _ in String(generator.next() as UInt64, radix: 36) }.joined()
        try StoredAPIKey(
            keyID: keyID, tenant: tenant, role: role, secretSHA256: Data(SHA256.hash(data: Data(secret.utf8))),
            createdAt: Int64(Date().timeIntervalSince1970), revokedAt: nil
        ).insert(db)
        return (keyID, "cmk_\(keyID)_\(secret)")
    }

    static func revoke(_ db: Database, keyID: String) throws -> Bool {
        let revoked = try StoredAPIKey.filter(StoredAPIKey.Columns.keyID == keyID && StoredAPIKey.Columns.revokedAt == nil)
            .updateAll(db, StoredAPIKey.Columns.revokedAt.set(to: Int64(Date().timeIntervalSince1970)))
        return revoked > 0
    }

    static func verify(_ db: Database, key: String) throws -> APIKeyIdentity {
        let parts = key.split(separator: "_", maxSplits: 2)
        guard parts.count == 3, parts[0] == "cmk" else { return APIKeyIdentity(valid: false) }
        guard let key = try StoredAPIKey.active(db, keyID: String(parts[1])) else { return APIKeyIdentity(valid: false) }
        let stored = key.secretSHA256
        let presented = Data(SHA256.hash(data: Data(parts[2].utf8)))
        // Constant-time comparison: the time taken must not reveal how much of the hash matched.
        guard stored.count == presented.count, zip(stored, presented).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
            return APIKeyIdentity(valid: false)
        }
        return APIKeyIdentity(valid: true, keyID: key.keyID, tenant: key.tenant, role: key.role)
    }

    static func activeKeyCount(_ db: Database) throws -> Int {
        try StoredAPIKey.filter(StoredAPIKey.Columns.revokedAt == nil).fetchCount(db)
    }
}
