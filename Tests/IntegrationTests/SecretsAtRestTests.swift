import Crypto
import Foundation
import GRDB
import Testing

/// Secrets at rest: the token signing key is in a key file of its own, not in auth's store or
/// its backups; every store, backup, key file and log is the owner's alone whatever the umask;
/// a service refuses to start with a store or key file open to others; and a local user other
/// than the services' can read none of it.
@Suite(.serialized) struct SecretsAtRestTests {
    static func base64URLDecode(_ text: String) -> Data? {
        var base64 = text.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
    }

    /// Every file and folder under `folder`, recursively.
    static func tree(_ folder: URL) -> (files: [String], folders: [String]) {
        var files: [String] = []
        var folders: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        while let name = enumerator?.nextObject() as? String {
            let path = folder.appendingPathComponent(name).path
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { continue }
            if isFolder.boolValue { folders.append(path) } else { files.append(path) }
        }
        return (files, folders)
    }

    @Test func theSigningKeyLivesInItsKeyFileNotInTheStoreNorABackup() async throws {
        let suite = try SuiteProcess()
        try await suite.start([.auth])
        let token = try await suite.loginToken("admin", try suite.bootstrapPassword())
        let (backedUp, body) = try await suite.request(.auth, "/v1/admin/backup?name=b1", method: "POST")
        #expect(backedUp == 200, "\(String(decoding: body, as: UTF8.self))")

        let keyFile = suite.dataDir.appendingPathComponent("auth-1-signing.key")
        #expect(Self.mode(keyFile.path) == 0o600)
        let text = try String(contentsOf: keyFile, encoding: .utf8)
        let raw = try #require(Self.base64URLDecode(text))
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        // It is the key tokens are signed with.
        let parts = token.split(separator: ".")
        let signature = try #require(Self.base64URLDecode(String(parts[2])))
        #expect(key.publicKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)))

        let store = suite.dataDir.appendingPathComponent("auth-1.sqlite")
        let backup = suite.dataDir.appendingPathComponent("backups/b1/auth-1.sqlite")
        for file in [store.path, store.path + "-wal", store.path + "-shm", backup.path] where FileManager.default.fileExists(atPath: file) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(bytes.range(of: raw) == nil, "the private key is in \(file)")
            #expect(bytes.range(of: Data(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)) == nil, "the key file's text is in \(file)")
        }
        await suite.stopAll()
        for file in [store, backup] {
            let queue = try DatabaseQueue(path: file.path)
            let schema = try await queue.read { try String.fetchAll($0, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL") }
            try queue.close()
            #expect(!schema.contains { $0.contains("private_key") }, "\(file.lastPathComponent): \(schema)")
        }
    }

    /// The test runner's usual umask leaves files 0644; the suite sets its own modes.
    @Test func everyStoreBackupKeyFileAndLogIsOwnerOnlyWhateverTheUmask() async throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        let suite = try SuiteProcess()
        try await suite.start()
        _ = try await suite.loginToken("admin", try suite.bootstrapPassword())
        for service in SuiteProcess.Service.allCases {
            let (status, body) = try await suite.request(service, "/v1/admin/backup?name=b1", method: "POST")
            #expect(status == 200, "\(service.rawValue): \(String(decoding: body, as: UTF8.self))")
        }
        // While the services run, so that the stores' -wal and -shm files exist.
        let (files, folders) = Self.tree(suite.dataDir)
        #expect(files.contains { $0.hasSuffix("auth-1.sqlite-wal") } && files.contains { $0.hasSuffix("collector-1.sqlite-shm") }, "\(files)")
        #expect(files.contains { $0.hasSuffix("-signing.key") } && files.contains { $0.hasSuffix("-audit.key") })
        #expect(files.filter { $0.contains("/backups/b1/") }.count == 5, "\(files)")
        for file in files { #expect(Self.mode(file) == 0o600, "\(file) has mode \(String(Self.mode(file) ?? 0, radix: 8))") }
        for folder in folders { #expect(Self.mode(folder) == 0o700, "\(folder) has mode \(String(Self.mode(folder) ?? 0, radix: 8))") }
        await suite.stopAll()
    }

    @Test func aServiceRefusesToStartWithAStoreOrKeyFileOpenToOthers() async throws {
        let suite = try SuiteProcess()
        try await suite.start([.auth, .collector])
        await suite.stopAll()
        let names = ["auth-1.sqlite", "auth-1-signing.key", "auth-1-audit.key", "auth-1-audit-checkpoints.log"]
        for name in names {
            let path = suite.dataDir.appendingPathComponent(name).path
            chmod(path, 0o644)
            await #expect(throws: (any Error).self, "auth started with \(name) mode 644") { try await suite.start([.auth]) }
            #expect(suite.log(.auth).contains("\(path) has mode 644"), "\(suite.log(.auth).suffix(1000))")
            #expect(suite.log(.auth).contains("chmod 600 \(path)"))
            #expect(suite.terminationStatus(.auth) != 0)
            chmod(path, 0o600)
        }
        let collectorStore = suite.dataDir.appendingPathComponent("collector-1.sqlite").path
        chmod(collectorStore, 0o640)
        await #expect(throws: (any Error).self) { try await suite.start([.collector]) }
        #expect(suite.log(.collector).contains("\(collectorStore) has mode 640"), "\(suite.log(.collector).suffix(1000))")
        chmod(collectorStore, 0o600)
        try await suite.start([.auth, .collector])
        await suite.stopAll()
    }

    /// Whether a process can run here as user `nobody`, and can reach the suites' temporary
    /// folder: without that, a refusal to read would prove nothing about the files' modes.
    static let asNobody: (possible: Bool, why: String) = {
        guard getuid() == 0 else { return (false, "needs root, to run a process as user nobody") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return (false, "needs setpriv (util-linux)") }
        let folder = FileManager.default.temporaryDirectory.path
        guard runAsNobody(["test", "-x", folder]) == 0 else {
            return (false, "user nobody cannot enter the temporary folder \(folder): a refusal would prove nothing")
        }
        return (true, "")
    }()

    @discardableResult
    static func runAsNobody(_ command: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"] + command
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test(.enabled(if: SecretsAtRestTests.asNobody.possible, "a local-user test: \(SecretsAtRestTests.asNobody.why)"))
    func aLocalUserReadsNoSecret() async throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        let suite = try SuiteProcess()
        try await suite.start()
        _ = try await suite.loginToken("admin", try suite.bootstrapPassword())
        _ = try await suite.request(.auth, "/v1/admin/backup?name=b1", method: "POST")
        // The data folder made by the tests is open to others, as a careless one would be, and
        // a file left readable in it is read: only the modes the suite set stand in the way.
        chmod(suite.dataDir.path, 0o755)
        let control = suite.dataDir.appendingPathComponent("readable.txt")
        try Data("public\n".utf8).write(to: control)
        chmod(control.path, 0o644)
        #expect(Self.runAsNobody(["cat", control.path]) == 0, "user nobody cannot read a 0644 file in \(suite.dataDir.path)")

        let files = Self.tree(suite.dataDir).files.filter { $0 != control.path }
        #expect(files.contains { $0.hasSuffix("auth-1-signing.key") })
        for file in files { #expect(Self.runAsNobody(["cat", file]) != 0, "user nobody read \(file)") }
        await suite.stopAll()
    }
}
