import Foundation
import GRDB
import Testing

/// The audit log against someone who can write auth's store and knows its hash: every edit,
/// move, deletion, recomputed chain and cut-off tail is found by `verify-audit`, which names
/// every broken row and exits 1; an unauthenticated login with a NUL in the name leaves the
/// log intact; a missing store is an error, not an empty log.
@Suite(.serialized) struct AuditTamperTests {
    /// Auth with ten audit rows (the bootstrap admin's creation and nine failed logins), stopped,
    /// and a copy of its store to start each tampering from.
    static func tenRows() async throws -> (suite: SuiteProcess, store: URL, pristine: URL) {
        let suite = try SuiteProcess()
        try await suite.start([.auth])
        for n in 1...9 { _ = try await suite.login("user\(n)", "wrong password!") }
        await suite.stop(.auth)
        let store = suite.dataDir.appendingPathComponent("auth-1.sqlite")
        let pristine = suite.dataDir.appendingPathComponent("pristine.sqlite")
        try FileManager.default.copyItem(at: store, to: pristine)
        return (suite, store, pristine)
    }

    /// Puts the untouched store back, applies `surgery`, and returns what verify-audit says.
    static func tamper(
        _ suite: SuiteProcess, store: URL, pristine: URL, _ surgery: (Database) throws -> Void
    ) throws -> (status: Int32, output: String, rows: Set<Int>) {
        for file in [store.path, store.path + "-wal", store.path + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
        try FileManager.default.copyItem(at: pristine, to: store)
        let queue = try AuditStoreSurgery.open(store)
        try queue.inDatabase { try surgery($0) }
        try queue.close()
        let (status, output) = try suite.runAuthCommand(["verify-audit"])
        return (status, output, namedRows(output))
    }

    /// Row numbers named in `audit row N:` lines.
    static func namedRows(_ output: String) -> Set<Int> {
        Set(
            output.split(separator: "\n").compactMap { line -> Int? in
                guard line.hasPrefix("audit row ") else { return nil }
                return Int(line.dropFirst("audit row ".count).prefix { $0.isNumber })
            })
    }

    @Test func aLoginWithANulInTheNameLeavesTheLogIntactAndTheNameWhole() async throws {
        let suite = try SuiteProcess()
        try await suite.start([.auth])
        let (status, _, _) = try await suite.login("adm\u{0}in", "not the password")
        #expect(status == 401)
        let verified = try suite.runAuthCommand(["verify-audit"])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("audit chain intact: 2 rows"), "\(verified.output)")

        let admin = try await suite.loginToken("admin", try suite.bootstrapPassword())
        let (read, body) = try await suite.request(.auth, "/v1/audit", method: "GET", headers: suite.bearer(admin))
        #expect(read == 200)
        let rows = try #require((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["rows"] as? [[String: Any]])
        #expect(rows.contains { $0["actor"] as? String == "adm\u{0}in" }, "\(rows)")
        await suite.stopAll()
    }

    @Test func everyKindOfTamperingIsFoundAndEveryBrokenRowNamed() async throws {
        let (suite, store, pristine) = try await Self.tenRows()
        let intact = try suite.runAuthCommand(["verify-audit"])
        #expect(intact.status == 0, "\(intact.output)")
        #expect(intact.output.contains("audit chain intact: 10 rows, signed up to row 10"), "\(intact.output)")

        let edited = try Self.tamper(suite, store: store, pristine: pristine) {
            try $0.execute(sql: "UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 3")
        }
        #expect(edited.status == 1)
        #expect(edited.rows == [3], "\(edited.output)")
        #expect(edited.output.contains("audit row 3: edited"), "\(edited.output)")

        let twoEdits = try Self.tamper(suite, store: store, pristine: pristine) { db in
            try db.execute(sql: "UPDATE audit_log SET outcome = 'success' WHERE seq = 2")
            try db.execute(sql: "UPDATE audit_log SET actor = 'someone else' WHERE seq = 7")
        }
        #expect(twoEdits.status == 1)
        #expect(twoEdits.rows == [2, 7], "\(twoEdits.output)")

        // Edited, then every hash from there on recomputed: the chain is consistent again, the
        // signed heads are not.
        let rechained = try Self.tamper(suite, store: store, pristine: pristine) { db in
            try db.execute(sql: "UPDATE audit_log SET actor = 'someone else' WHERE seq = 5")
            try AuditStoreSurgery.rechain(db)
        }
        #expect(rechained.status == 1)
        #expect(rechained.rows == [5, 6, 7, 8, 9, 10], "\(rechained.output)")
        #expect(rechained.output.contains("audit row 5: edited"), "\(rechained.output)")
        #expect(rechained.output.contains("audit row 6: hash rewritten"), "\(rechained.output)")

        let reordered = try Self.tamper(suite, store: store, pristine: pristine) { db in
            try db.execute(sql: "UPDATE audit_log SET seq = 100 WHERE seq = 4")
            try db.execute(sql: "UPDATE audit_log SET seq = 4 WHERE seq = 5")
            try db.execute(sql: "UPDATE audit_log SET seq = 5 WHERE seq = 100")
        }
        #expect(reordered.status == 1)
        #expect(reordered.rows == [4, 5], "\(reordered.output)")

        let deleted = try Self.tamper(suite, store: store, pristine: pristine) { try $0.execute(sql: "DELETE FROM audit_log WHERE seq = 6") }
        #expect(deleted.status == 1)
        #expect(deleted.rows == [6], "\(deleted.output)")
        #expect(deleted.output.contains("audit row 6: missing (deleted)"), "\(deleted.output)")

        // The last rows cut off: what is left is a perfectly good chain, shorter than signed.
        let truncated = try Self.tamper(suite, store: store, pristine: pristine) { try $0.execute(sql: "DELETE FROM audit_log WHERE seq > 8") }
        #expect(truncated.status == 1)
        #expect(truncated.rows == [9, 10], "\(truncated.output)")
        #expect(truncated.output.contains("audit row 9: missing: cut from the end"), "\(truncated.output)")

        // Deleted in the middle and renumbered, with the chain recomputed.
        let renumbered = try Self.tamper(suite, store: store, pristine: pristine) { db in
            try db.execute(sql: "DELETE FROM audit_log WHERE seq = 8")
            try db.execute(sql: "UPDATE audit_log SET seq = seq - 1 WHERE seq > 8")
            try AuditStoreSurgery.rechain(db)
        }
        #expect(renumbered.status == 1)
        #expect(renumbered.rows == [8, 9, 10], "\(renumbered.output)")

        // A signed checkpoint changed (to match a cut-off log) no longer verifies.
        let checkpoints = suite.dataDir.appendingPathComponent("auth-1-audit-checkpoints.log")
        let original = try String(contentsOf: checkpoints, encoding: .utf8)
        _ = try Self.tamper(suite, store: store, pristine: pristine) { _ in }
        try original.replacingOccurrences(of: "rows=10 ", with: "rows=8 ").write(to: checkpoints, atomically: false, encoding: .utf8)
        let forged = try suite.runAuthCommand(["verify-audit"])
        #expect(forged.status == 1)
        #expect(forged.output.contains("checkpoint line 10: its signature does not verify"), "\(forged.output)")
        // Without its checkpoints the log vouches for nothing.
        try FileManager.default.removeItem(at: checkpoints)
        let unsigned = try suite.runAuthCommand(["verify-audit"])
        #expect(unsigned.status == 1)
        #expect(unsigned.output.contains("checkpoints: the checkpoint file \(checkpoints.path) is missing"), "\(unsigned.output)")
        #expect(unsigned.output.contains("audit rows 1–10: not covered by a signed checkpoint"), "\(unsigned.output)")
        try original.write(to: checkpoints, atomically: false, encoding: .utf8)
        #expect(try suite.runAuthCommand(["verify-audit"]).status == 0)
        await suite.stopAll()
    }

    /// A restore legitimately loses the rows written after the backup: verify-audit says so,
    /// until an operator anchors the log with a reason, which is itself audited.
    @Test func anAnchorAfterARestoreIsRecordedAndNamed() async throws {
        let (suite, store, pristine) = try await Self.tenRows()
        let restored = try Self.tamper(suite, store: store, pristine: pristine) { try $0.execute(sql: "DELETE FROM audit_log WHERE seq > 7") }
        #expect(restored.rows == [8, 9, 10], "\(restored.output)")
        let anchored = try suite.runAuthCommand(["anchor-audit", "--reason", "restored backup b1"])
        #expect(anchored.status == 0, "\(anchored.output)")
        #expect(anchored.output.contains("audit log anchored at row 8"), "\(anchored.output)")
        let verified = try suite.runAuthCommand(["verify-audit"])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("at row 8: restored backup b1"), "\(verified.output)")
        #expect(verified.output.contains("audit chain intact: 8 rows"), "\(verified.output)")
        let queue = try AuditStoreSurgery.open(store)
        let detail = try await queue.read { try String.fetchOne($0, sql: "SELECT detail FROM audit_log WHERE action = 'audit.anchor'") }
        try queue.close()
        #expect(detail?.contains("signed checkpoints counted 10 rows") == true, "\(detail ?? "no audit.anchor row")")
        await suite.stopAll()
    }

    @Test func verifyAuditFailsWithoutAStoreAndCreatesNothing() async throws {
        let suite = try SuiteProcess()
        let missing = suite.dataDir.appendingPathComponent("no-such-folder")
        let noFolder = try suite.runAuthCommand(["verify-audit"], dataDir: missing)
        #expect(noFolder.status == 2, "\(noFolder.output)")
        #expect(noFolder.output.contains("no data folder \(missing.path)"), "\(noFolder.output)")
        #expect(!FileManager.default.fileExists(atPath: missing.path))

        let empty = suite.dataDir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let noStore = try suite.runAuthCommand(["verify-audit"], dataDir: empty)
        #expect(noStore.status == 2, "\(noStore.output)")
        #expect(noStore.output.contains("no auth store \(empty.appendingPathComponent("auth-1.sqlite").path)"), "\(noStore.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty.path).isEmpty)
    }
}
