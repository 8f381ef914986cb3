import Crypto
import Foundation
import GRDB
import Testing

/// A store left by the previous version — the private signing key in `signing_keys`, the audit
/// log hashed in the old format, including a row that format got wrong (a name with a NUL,
/// stored cut short but hashed whole) — is upgraded in place: the key moves to its key file
/// (tokens it signed stay valid), no byte of it stays in the store, and the log is re-hashed
/// and anchored, saying that the old chain was broken.
@Suite(.serialized) struct AuthUpgradeTests {
    @Test func anOldStoreIsUpgradedInPlace() async throws {
        let suite = try SuiteProcess()
        try await suite.start([.auth])
        let admin = try await suite.loginToken("admin", try suite.bootstrapPassword())
        _ = try await suite.login("adm\u{0}in", "not the password")
        for n in 1...3 { _ = try await suite.login("user\(n)", "not the password") }
        await suite.stop(.auth)

        let keyFile = suite.dataDir.appendingPathComponent("auth-1-signing.key")
        let raw = try #require(SecretsAtRestTests.base64URLDecode(try String(contentsOf: keyFile, encoding: .utf8)))
        let store = suite.dataDir.appendingPathComponent("auth-1.sqlite")
        let queue = try AuditStoreSurgery.open(store)
        try queue.inDatabase { db in
            let keyID = try #require(try String.fetchOne(db, sql: "SELECT key_id FROM signing_public_keys"))
            try db.execute(
                sql: """
                    DROP TABLE signing_public_keys;
                    DROP TABLE audit_meta;
                    CREATE TABLE signing_keys (key_id TEXT PRIMARY KEY, private_key BLOB NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID;
                    DELETE FROM grdb_migrations WHERE identifier = 'auth-v3';
                    """)
            try db.execute(sql: "INSERT INTO signing_keys VALUES (?, ?, 1)", arguments: [keyID, raw])
            // The old version stored text through C strings (cut at a NUL) and hashed it whole.
            try db.execute(sql: "UPDATE audit_log SET actor = 'adm' WHERE seq = 3")
            var previous = AuditStoreSurgery.genesis
            for row in try Row.fetchAll(db, sql: "SELECT seq, at, actor, action, tenant, outcome, detail FROM audit_log ORDER BY seq") {
                let seq: Int64 = row["seq"]
                let actor: String = seq == 3 ? "adm\u{0}in" : row["actor"]
                let hash = AuditStoreSurgery.legacyChainHash(
                    previous: previous, seq: seq, at: row["at"], fields: [actor, row["action"], row["tenant"], row["outcome"], row["detail"]])
                try db.execute(sql: "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", arguments: [previous, hash, seq])
                previous = hash
            }
        }
        try queue.close()
        for name in ["auth-1-signing.key", "auth-1-audit.key", "auth-1-audit-checkpoints.log"] {
            try FileManager.default.removeItem(at: suite.dataDir.appendingPathComponent(name))
        }
        let before = try suite.runAuthCommand(["verify-audit"])
        #expect(before.status == 1, "\(before.output)")
        #expect(before.output.contains("old format"), "\(before.output)")
        #expect(AuditTamperTests.namedRows(before.output) == [3], "\(before.output)")

        try await suite.start([.auth])
        #expect(suite.log(.auth).contains("token signing key moved out of the store into its key file"))
        #expect(suite.log(.auth).contains("audit log re-hashed in the canonical form at upgrade"))
        #expect(try Data(contentsOf: keyFile) == Data((try String(contentsOf: keyFile, encoding: .utf8)).utf8))
        #expect(SecretsAtRestTests.base64URLDecode(try String(contentsOf: keyFile, encoding: .utf8)) == raw)
        #expect(SecretsAtRestTests.mode(keyFile.path) == 0o600)
        // A token signed before the upgrade is still good.
        let (read, _) = try await suite.request(.auth, "/v1/audit", method: "GET", headers: suite.bearer(admin))
        #expect(read == 200)
        await suite.stop(.auth)

        for file in [store.path, store.path + "-wal"] where FileManager.default.fileExists(atPath: file) {
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)).range(of: raw) == nil, "the private key is still in \(file)")
        }
        let after = try suite.runAuthCommand(["verify-audit"])
        #expect(after.status == 0, "\(after.output)")
        #expect(after.output.contains("upgrade: 6 rows re-hashed in the canonical form; the old chain was BROKEN"), "\(after.output)")
        #expect(after.output.contains("audit chain intact: 7 rows, signed up to row 7"), "\(after.output)")
        await suite.stopAll()
    }
}
