import ArgumentParser
import Foundation
import GRDB
import ServiceKit

extension AuthCommand {
    /// `auth verify-audit`: checks the audit log against its hash chain and its signed
    /// checkpoints and prints every finding. Reads only: it creates no folder, store or file.
    struct VerifyAudit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-audit",
            abstract: "Verify the audit log against its hash chain and signed checkpoints; name every row that is not as appended.",
            discussion: """
                Finds rows edited, deleted, reordered, re-chained (edited with the hashes recomputed) or cut from the end, \
                and checkpoint lines that were altered. Exit status: 0 intact, 1 broken (every finding is printed), 2 cannot \
                verify (no data folder, no store, no audit key). Safe to run while auth runs.
                """)
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let files = AuthFiles(dataDir: common.dataDir, instance: common.instanceName(service: "auth"))
            let report: AuditReport
            do {
                report = try await AuditInspection.verify(files)
            } catch {
                FileHandle.standardError.write(Data("error: cannot verify the audit log: \(error)\n".utf8))
                throw ExitCode(2)
            }
            print(report.text)
            if !report.intact { throw ExitCode(1) }
        }
    }
}

/// What `verify-audit` prints and whether the log is intact.
struct AuditReport: Sendable {
    var intact: Bool
    var text: String
}

/// Reads a store and its checkpoints without changing either and turns the verification into
/// a report; a store auth has not upgraded yet is checked against its old chain.
enum AuditInspection {
    /// Why the audit log cannot be verified at all.
    enum Failure: Error, CustomStringConvertible {
        case noDataFolder(String)
        case noStore(String)
        case noAuditKey(String)

        var description: String {
            switch self {
            case .noDataFolder(let path): return "no data folder \(path) (check --data-dir / CM_DATA_DIR)"
            case .noStore(let path): return "no auth store \(path) (check --data-dir and --instance)"
            case .noAuditKey(let path): return "the audit key file \(path) is missing, so the signed checkpoints cannot be checked"
            }
        }
    }

    /// Attempts when the only finding is rows not signed yet: a verification run while auth
    /// appends can read a row in the moment between its commit and its checkpoint.
    static let attempts = 5

    static func verify(_ files: AuthFiles) async throws -> AuditReport {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: files.dataDir, isDirectory: &isFolder), isFolder.boolValue else {
            throw Failure.noDataFolder(files.dataDir)
        }
        guard FileManager.default.fileExists(atPath: files.store) else { throw Failure.noStore(files.store) }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let store = try DatabaseQueue(path: files.store, configuration: configuration)
        // Read-only: closing has nothing to save, and the report is already made or thrown.
        defer { try? store.close() }
        // Raw SQL because grdb_migrations is GRDB's own table, read here without auth's migrator.
        let upgraded = try await store.read { db in
            try db.tableExists("grdb_migrations") && String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations").contains("auth-v3")
        }
        if !upgraded {
            return try await legacy(store)
        }
        var attempt = 1
        while true {
            let verification = try await current(store, files: files)
            if verification.onlyUnsignedTail, attempt < attempts {
                attempt += 1
                try await Task.sleep(for: .milliseconds(300))
                continue
            }
            return report(verification)
        }
    }

    private static func current(_ store: DatabaseQueue, files: AuthFiles) async throws -> AuditVerification {
        let file = AuditCheckpointFile(path: files.auditCheckpoints)
        let key = try Ed25519KeyFile.read(files.auditKey)
        // The checkpoints before the rows: every head signed by then is of a committed row,
        // so a row appended meanwhile reads as not signed yet, never as missing.
        var checkpoints: [AuditCheckpoint] = []
        var rejected: [(line: Int, error: AuditCheckpointLineError)] = []
        var problem: String?
        if let key {
            do {
                (checkpoints, rejected) = try file.read(publicKey: key.publicKey)
            } catch .missing(_) {
                problem = "the checkpoint file \(file.path) is missing"
            }
        }
        let rows = try await store.read { try AuditLog.storedRows($0) }
        if key == nil, !rows.isEmpty { throw Failure.noAuditKey(files.auditKey) }
        if rows.isEmpty, problem != nil { problem = nil }
        return AuditVerifier.verify(rows: rows, checkpoints: checkpoints, rejectedLines: rejected, checkpointProblem: problem)
    }

    private static func report(_ verification: AuditVerification) -> AuditReport {
        var lines: [String] = []
        if let anchor = verification.anchor {
            lines.append("checked from the anchor of \(timestamp(anchor.at)) at row \(anchor.rows): \(anchor.reason)")
        }
        if verification.intact {
            lines.append("audit chain intact: \(verification.rows) rows, signed up to row \(verification.signedRows)")
            return AuditReport(intact: true, text: lines.joined(separator: "\n"))
        }
        lines.append("audit chain BROKEN: \(verification.breaks.count) findings in \(verification.rows) rows")
        lines += verification.breaks.map(\.description)
        return AuditReport(intact: false, text: lines.joined(separator: "\n"))
    }

    private static func legacy(_ store: DatabaseQueue) async throws -> AuditReport {
        let (rows, breaks) = try await store.read { try LegacyAuditChain.verify($0) }
        let note = "(old format, not signed yet: start auth once to re-hash the log and sign its first checkpoint)"
        if breaks.isEmpty { return AuditReport(intact: true, text: "audit chain intact: \(rows) rows \(note)") }
        let lines = ["audit chain BROKEN: \(breaks.count) findings in \(rows) rows \(note)"] + breaks.map(\.description)
        return AuditReport(intact: false, text: lines.joined(separator: "\n"))
    }

    private static func timestamp(_ seconds: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
