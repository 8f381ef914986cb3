import Foundation
import ZeroMQ

/// Writes CURVE key files in the layout `CurveConfiguration` reads: `<name>.key` (mode 0600)
/// and `<name>.pub` (0644). Used by `auth generate-curve-keys` and by tests.
public enum CurveKeyFiles {
    /// The five services and the key third-party collectors use when ingest runs with CURVE.
    public static let defaultNames = ["auth", "collector", "preprocessor", "calculator", "reporter", "external-collector"]

    /// What `generate` did for one name.
    public enum Outcome: Sendable, Equatable {
        case created(publicKey: String)
        case kept(publicKey: String)
    }

    /// Creates a key pair for each name that has no `<name>.key` yet (existing keys are kept,
    /// so the command can run at every start); `replace` regenerates them (key rotation).
    public static func generate(directory: String, names: [String], replace: Bool = false) throws -> [(name: String, outcome: Outcome)] {
        try OwnerOnlyFiles.makeFolder(directory)
        var outcomes: [(String, Outcome)] = []
        for name in names {
            guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
                throw ServiceStartupError("\(name) is not a usable key name")
            }
            let secretPath = CurveConfiguration.path(directory, "\(name).key")
            let publicPath = CurveConfiguration.path(directory, "\(name).pub")
            if !replace, FileManager.default.fileExists(atPath: secretPath) {
                let pair = try CurveKeyPair(secretKey: try CurveConfiguration.readKey(secretPath))
                if !FileManager.default.fileExists(atPath: publicPath) { try write(pair.publicKey.z85, to: publicPath, mode: 0o644) }
                outcomes.append((name, .kept(publicKey: pair.publicKey.z85)))
                continue
            }
            let pair = try CurveKeyPair.generate()
            try write(pair.secretKey.z85, to: secretPath, mode: 0o600)
            try write(pair.publicKey.z85, to: publicPath, mode: 0o644)
            outcomes.append((name, .created(publicKey: pair.publicKey.z85)))
        }
        return outcomes
    }

    /// Writes `text` and a newline with `mode`: the file is created empty with that mode before
    /// any byte is written, so a secret is never readable by others, even for a moment.
    static func write(_ text: String, to path: String, mode: mode_t) throws {
        _ = unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else { throw ServiceStartupError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // The umask may have removed bits; set exactly the mode asked for.
        _ = fchmod(fd, mode)
        let bytes = Array((text + "\n").utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw ServiceStartupError("cannot write \(path): \(String(cString: strerror(errno)))") }
    }
}
