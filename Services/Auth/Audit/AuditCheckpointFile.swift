import Crypto
import Foundation
import ServiceKit

/// The append-only file of signed audit checkpoints (`AuthFiles.auditCheckpoints`, 0600), one
/// `AuditCheckpoint` line each. Appends never create it: a checkpoint file that disappeared
/// is a finding for `verify-audit`, and a fresh one would silently vouch for whatever the
/// store holds. It is made only with a new store or by a deliberate anchor.
struct AuditCheckpointFile: Sendable {
    let path: String

    var exists: Bool { FileManager.default.fileExists(atPath: path) }

    /// Creates the file, empty and owner-only; fails if it exists.
    func create() throws(AuditCheckpointFileError) {
        do { try OwnerOnlyFiles.createFile(path) } catch { throw .file(error) }
    }

    /// Appends one signed line in a single write, flushed to disk before returning.
    func append(_ checkpoint: AuditCheckpoint, key: Curve25519.Signing.PrivateKey) throws(AuditCheckpointFileError) {
        let line: String
        do { line = try checkpoint.line(signedWith: key) + "\n" } catch { throw .io(path: path, reason: "cannot sign: \(error)") }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { throw .missing(path: path) }
            throw .io(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let bytes = Array(line.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
            throw .io(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Every line in file order: the checkpoints whose signature verifies with `publicKey`,
    /// and the (1-based) numbers of the lines that were rejected, with why.
    func read(publicKey: Curve25519.Signing.PublicKey) throws(AuditCheckpointFileError) -> (
        checkpoints: [AuditCheckpoint], rejected: [(line: Int, error: AuditCheckpointLineError)]
    ) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            if !exists { throw .missing(path: path) }
            throw .io(path: path, reason: "\(error)")
        }
        var checkpoints: [AuditCheckpoint] = []
        var rejected: [(Int, AuditCheckpointLineError)] = []
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() where !(line.isEmpty && index == lines.count - 1) {
            switch AuditCheckpoint.parse(line, verifyingWith: publicKey) {
            case .success(let checkpoint): checkpoints.append(checkpoint)
            case .failure(let error): rejected.append((index + 1, error))
            }
        }
        return (checkpoints, rejected)
    }
}

/// Why the checkpoint file could not be read or written; names the file.
enum AuditCheckpointFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(path: String)
    case io(path: String, reason: String)
    case file(OwnerOnlyFileError)

    var description: String {
        switch self {
        case .missing(let path):
            return "the audit checkpoint file \(path) is missing; if it was lost rather than removed by someone, run `auth anchor-audit --reason …`"
        case .io(let path, let reason): return "audit checkpoint file \(path): \(reason)"
        case .file(let error): return "audit checkpoint file: \(error)"
        }
    }
}
