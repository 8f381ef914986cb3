import ZeroMQ

/// Why a service cannot run with CURVE: names the file and what is wrong with it, so an
/// operator can fix it. Never contains key material.
public enum CurveConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingDirectory(path: String)
    case missingFile(path: String, what: String)
    case unreadable(path: String, reason: String)
    case malformedKey(path: String, reason: CurveKeyError)
    case accessibleToOthers(path: String, mode: String)
    case mismatchedKeys(secretPath: String, publicPath: String)
    case unsupported

    public var description: String {
        switch self {
        case .missingDirectory(let path): return "CURVE key folder \(path) does not exist (--curve-dir / CM_CURVE_DIR)"
        case .missingFile(let path, let what):
            return "\(what) \(path) is missing; generate keys with `auth generate-curve-keys <dir>` (scripts/generate-curve-keys)"
        case .unreadable(let path, let reason): return "cannot read CURVE key file \(path): \(reason)"
        case .malformedKey(let path, let reason): return "CURVE key file \(path) does not hold a Z85 key: \(reason)"
        case .accessibleToOthers(let path, let mode):
            return "secret key file \(path) has mode \(mode) and is open to other users; run `chmod 600 \(path)`"
        case .mismatchedKeys(let secretPath, let publicPath):
            return "secret key \(secretPath) does not belong to public key \(publicPath)"
        case .unsupported: return "this libzmq was built without CURVE support"
        }
    }
}
