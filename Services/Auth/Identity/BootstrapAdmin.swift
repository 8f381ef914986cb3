import AccessControl
import Foundation
import GRDB
import Logging

/// The first provider admin, created when auth starts with no users. Its password is either
/// the operator's, read from `--bootstrap-password-file` (a compose or Kubernetes secret), or
/// random and written only to `<data-dir>/bootstrap-admin.secret` (mode 0600) — never to the
/// log. The random one's file is deleted after the first successful login as that admin: the
/// secret is for one use.
struct BootstrapAdmin: Sendable {
    static let username = "admin"
    let secretPath: String
    /// The operator's file holding the password (first line), if any.
    let passwordFile: String?

    init(dataDir: String, passwordFile: String? = nil) {
        secretPath = URL(fileURLWithPath: dataDir).appendingPathComponent("bootstrap-admin.secret").path
        self.passwordFile = passwordFile
    }

    /// The password in a password file's text: its first line, at least 12 characters.
    static func password(inFile text: String, path: String) throws -> String {
        let password = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard password.count >= 12 else {
            throw BootstrapAdminError("the bootstrap password in \(path) must have at least 12 characters on its first line")
        }
        return password
    }

    /// Creates the admin if there are no users yet. Returns true when it did.
    func ensure(_ database: DatabasePool, hasher: PasswordHasher, logger: Logger) async throws -> Bool {
        if try await database.read({ try UserDirectory.userCount($0) }) > 0 { return false }
        let password: String
        if let passwordFile {
            let text: String
            do { text = try String(contentsOfFile: passwordFile, encoding: .utf8) } catch {
                throw BootstrapAdminError("cannot read the bootstrap password file \(passwordFile): \(error)")
            }
            password = try Self.password(inFile: text, path: passwordFile)
        } else {
            var bytes = [UInt8](repeating: 0, count: 18)
            var generator = SystemRandomNumberGenerator()
            for i in bytes.indices { bytes[i] = generator.next() }
            password = Base64URL.encode(Data(bytes))
        }
        let hash = try hasher.hash(password)
        // Write the file before the user exists: if writing fails, nobody is locked out of a
        // suite whose only admin has a password no one knows.
        if passwordFile == nil { try writeSecret("username=\(Self.username)\npassword=\(password)\n") }
        try await database.write { db in
            guard try UserDirectory.userCount(db) == 0 else { return }
            try UserDirectory.createUser(db, username: Self.username, tenant: nil, role: .providerAdmin, passwordHash: hash)
            try AuditLog.append(
                db, AuditEntry(actor: "auth", action: "user.create", tenant: nil, outcome: "success", detail: "bootstrap provider_admin admin"))
        }
        if let passwordFile {
            logger.notice("bootstrap provider admin created with the password of the bootstrap password file", metadata: ["file": "\(passwordFile)"])
        } else {
            logger.notice("bootstrap provider admin created; its one-time password is in the secret file", metadata: ["file": "\(secretPath)"])
        }
        return true
    }

    /// After the bootstrap admin's first login the secret has served its purpose. A secret that
    /// cannot be deleted is logged: the login stands, but the operator must remove the file.
    func consumed(by username: String, logger: Logger) {
        guard username == Self.username, FileManager.default.fileExists(atPath: secretPath) else { return }
        do { try FileManager.default.removeItem(atPath: secretPath) } catch {
            // Gone meanwhile (another login removed it) is what was wanted.
            guard FileManager.default.fileExists(atPath: secretPath) else { return }
            logger.error(
                "could not delete the used bootstrap secret; remove it by hand",
                metadata: ["file": "\(secretPath)", "error": "\(error)"])
        }
    }

    private func writeSecret(_ text: String) throws {
        unlink(secretPath)
        // O_EXCL with mode 0600 from the start: the secret is never readable by others, not even briefly.
        let fd = open(secretPath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw BootstrapAdminError("cannot create \(secretPath): errno \(errno)") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else {
            throw BootstrapAdminError("cannot write \(secretPath): errno \(errno)")
        }
    }
}

/// Why the first provider admin could not be created (a password file too short or unreadable,
/// a secret file that cannot be written): auth does not start.
struct BootstrapAdminError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
