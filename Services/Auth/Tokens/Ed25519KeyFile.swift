import AccessControl
import Crypto
import Foundation
import ServiceKit

/// An Ed25519 private key in a file of its own (one line, base64url of the 32-byte seed), mode
/// 0600 — never in a store, so never in a store's backups. A key file open to other users is
/// refused, naming the file and the fix.
enum Ed25519KeyFile {
    /// The key in `path`; nil when there is no such file.
    static func read(_ path: String) throws(KeyFileError) -> Curve25519.Signing.PrivateKey? {
        do {
            guard try OwnerOnlyFiles.mode(of: path) != nil else { return nil }
            try OwnerOnlyFiles.requireClosed(path)
        } catch {
            throw .file(error)
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw .file(.unreadable(path: path, reason: "\(error)")) }
        guard let raw = Base64URL.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == 32,
            // CryptoKit's error says no more than `.malformed`, which names the file and the format.
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw .malformed(path: path) }
        return key
    }

    /// Writes `key` to a new file at `path` (0600, flushed); fails if the file exists.
    static func create(_ path: String, key: Curve25519.Signing.PrivateKey) throws(KeyFileError) {
        do { try OwnerOnlyFiles.createFile(path, contents: Data((Base64URL.encode(key.rawRepresentation) + "\n").utf8)) } catch {
            throw .file(error)
        }
    }

    /// The key in `path`, or a new one written there when there is no file yet.
    static func readOrCreate(_ path: String) throws(KeyFileError) -> (key: Curve25519.Signing.PrivateKey, created: Bool) {
        if let key = try read(path) { return (key, false) }
        let key = Curve25519.Signing.PrivateKey()
        do {
            try create(path, key: key)
        } catch .file(.exists(_)) {
            // Another auth process (a command run beside the service) made it first: use theirs.
            guard let theirs = try read(path) else { throw .malformed(path: path) }
            return (theirs, false)
        }
        return (key, true)
    }
}

/// Why a key file cannot be used: names the file; never contains key material.
enum KeyFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case file(OwnerOnlyFileError)
    case malformed(path: String)

    var description: String {
        switch self {
        case .file(let error): return "key file: \(error)"
        case .malformed(let path): return "key file \(path) does not hold an Ed25519 key (one line, base64url of 32 bytes)"
        }
    }
}
