import Foundation
import GRDB
import Testing

/// Auth's own guarantees: the bootstrap secret, failed-login throttling and lockout, and the
/// hash-chained audit log that names the first row edited, deleted or reordered.
@Suite(.serialized) struct AuditAndLoginTests {
    /// Runs `body` in a transaction on auth's store, as someone with file access would.
    static func edit<T>(_ store: DatabaseQueue, _ body: (Database) throws -> T) throws -> T {
        try store.inDatabase { db in try body(db) }
    }

    @Test func bootstrapAdminSecretIsAPrivateFileAndNeverALogLine() async throws {
        let suite = try SuiteProcess()
        try await suite.start([.auth])
        let attributes = try FileManager.default.attributesOfItem(atPath: suite.bootstrapSecretFile.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let password = try suite.bootstrapPassword()
        #expect(password.count >= 20)
        #expect(!suite.log(.auth).contains(password))
        #expect(suite.log(.auth).contains("bootstrap-admin.secret"))
        // A second start finds the admin and writes no new secret.
        _ = try await suite.loginToken("admin", password)
        await suite.stop(.auth)
        try await suite.start([.auth])
        #expect(!FileManager.default.fileExists(atPath: suite.bootstrapSecretFile.path))
        _ = try await suite.loginToken("admin", password)
        await suite.stopAll()
    }

    /// The lockout window is a condition, not a race: each "locked" expectation is checked only
    /// when the answer came back inside the window counted from the moment the locking attempt
    /// was sent (auth's own clock can only have read later), and the unlock is awaited until the
    /// window has surely passed. A loaded machine makes the test slower, never wrong.
    @Test func repeatedFailedLoginsLockTheNameAndUnknownNamesAlike() async throws {
        let lockout: TimeInterval = 20
        let suite = try SuiteProcess(extraArguments: [.auth: ["--max-failed-logins", "3", "--lockout-seconds", "\(Int(lockout))"]])
        try await suite.start([.auth])
        let password = try suite.bootstrapPassword()
        var lockingSentAt = Date()
        for _ in 0..<3 {
            lockingSentAt = Date()
            let (status, _, body) = try await suite.login("admin", "wrong password!")
            #expect(status == 401)
            #expect(String(decoding: body, as: UTF8.self).contains("invalid user name or password"))
        }
        // Locked: even the right password is refused, with Retry-After. (Seconds are whole on
        // auth's clock, hence the margin.)
        let (locked, _, lockedBody) = try await suite.login("admin", password)
        if Date().timeIntervalSince(lockingSentAt) < lockout - 2 {
            #expect(locked == 429)
            #expect(String(decoding: lockedBody, as: UTF8.self).contains("try again"))
        }
        // A name that does not exist locks the same way, so lockout tells nothing about who exists.
        let firstUnknownSentAt = Date()
        var unknown: [Int] = []
        var lastFailureAnsweredAt = Date()
        for _ in 0..<4 {
            unknown.append(try await suite.login("nobody", "wrong password!").status)
            lastFailureAnsweredAt = Date()
        }
        if lastFailureAnsweredAt.timeIntervalSince(firstUnknownSentAt) < lockout - 2 {
            #expect(unknown == [401, 401, 401, 429])
        }
        #expect(unknown.prefix(3).allSatisfy { $0 == 401 }, "\(unknown)")
        // Once the window has passed for sure, the right password is accepted again.
        let unlockAt = lastFailureAnsweredAt.addingTimeInterval(lockout + 2)
        while Date() < unlockAt { try await Task.sleep(for: .milliseconds(250)) }
        let (after, token, afterBody) = try await suite.login("admin", password)
        #expect(after == 200, "\(String(decoding: afterBody, as: UTF8.self))")
        #expect(token != nil)
        await suite.stopAll()
    }

    @Test func verifyAuditNamesTheFirstRowEditedDeletedOrReordered() async throws {
        let suite = try SuiteProcess()
        try await suite.start([.auth])
        let password = try suite.bootstrapPassword()
        _ = try await suite.login("admin", "not the password")
        let admin = try await suite.loginToken("admin", password)
        let (created, key) = try await suite.administer("/v1/api-keys", ["role": "collector", "tenant": "A"], token: admin)
        #expect(created == 201)
        let keyID = try #require(key["key_id"] as? String)
        let (revoked, _) = try await suite.request(.auth, "/v1/api-keys/\(keyID)", method: "DELETE", headers: suite.bearer(admin))
        #expect(revoked == 200)
        _ = try await suite.login("eve", "guess")
        await suite.stop(.auth)

        let intact = try suite.runAuthCommand(["verify-audit"])
        #expect(intact.status == 0, "\(intact.output)")
        #expect(intact.output.contains("intact: 6 rows"), "\(intact.output)")

        let store = try DatabaseQueue(path: suite.dataDir.appendingPathComponent("auth-1.sqlite").path)
        let rows = try Self.edit(store) { db in
            try Row.fetchAll(db, sql: "SELECT seq, action, outcome, actor, detail FROM audit_log ORDER BY seq")
        }
        #expect(rows.map { $0["action"] as String } == ["user.create", "login", "login", "apikey.create", "apikey.revoke", "login"])
        #expect(rows.map { $0["outcome"] as String } == ["success", "failure", "success", "success", "success", "failure"])

        // Edited: row 3's detail changed.
        let original: String = rows[2]["detail"]
        try Self.edit(store) { try $0.execute(sql: "UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 3") }
        let edited = try suite.runAuthCommand(["verify-audit"])
        #expect(edited.status == 1)
        #expect(edited.output.contains("row 3: edited"), "\(edited.output)")
        try Self.edit(store) { try $0.execute(sql: "UPDATE audit_log SET detail = ? WHERE seq = 3", arguments: [original]) }
        #expect(try suite.runAuthCommand(["verify-audit"]).status == 0)

        // Deleted: row 2 removed.
        let saved = try Self.edit(store) { db in
            try Row.fetchOne(db, sql: "SELECT seq, at, actor, action, tenant, outcome, detail, prev_hash, hash FROM audit_log WHERE seq = 2")
                .map { row in Array(row.databaseValues) }
        }
        try Self.edit(store) { try $0.execute(sql: "DELETE FROM audit_log WHERE seq = 2") }
        let deleted = try suite.runAuthCommand(["verify-audit"])
        #expect(deleted.status == 1)
        #expect(deleted.output.contains("row 2: missing"), "\(deleted.output)")
        let row2 = try #require(saved)
        try Self.edit(store) { db in
            try db.execute(
                sql: "INSERT INTO audit_log (seq, at, actor, action, tenant, outcome, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: StatementArguments(row2))
        }
        #expect(try suite.runAuthCommand(["verify-audit"]).status == 0)

        // Reordered: rows 4 and 5 swap places (each keeps its own hashes, moved with it).
        try Self.edit(store) { db in
            try db.execute(sql: "UPDATE audit_log SET seq = 100 WHERE seq = 4")
            try db.execute(sql: "UPDATE audit_log SET seq = 4 WHERE seq = 5")
            try db.execute(sql: "UPDATE audit_log SET seq = 5 WHERE seq = 100")
        }
        let reordered = try suite.runAuthCommand(["verify-audit"])
        #expect(reordered.status == 1)
        #expect(reordered.output.contains("row 4:"), "\(reordered.output)")
        try store.close()
        await suite.stopAll()
    }
}
