import Foundation
import ZeroMQ

/// A service's CURVE setup, read from its key folder (`--curve-dir`, env `CM_CURVE_DIR`):
///
/// - `<service>.key`: this service's secret key (Z85, one line); mode 0600 or 0640, never
///   readable by other users;
/// - `<peer>.pub`: the public key of every service it connects to (the servers' keys);
/// - the allow-list: every `*.pub` in the folder and in its `authorized/` subfolder. The
///   service's CURVE servers admit a client only when its public key is one of those.
///
/// Adding a client is dropping its `.pub` into `authorized/` and restarting the servers it
/// talks to; see README, "Security".
public struct CurveConfiguration: Sendable {
    public let directory: String
    public let service: String
    public let keyPair: CurveKeyPair
    /// Public keys by name (file name without `.pub`), from the folder itself.
    public let peers: [String: CurveKey]
    /// Client public keys the ZAP handler admits.
    public let allowed: Set<CurveKey>

    /// The setup of the binding side of every link this service serves.
    public var server: LinkSecurity { .curveServer(keyPair) }

    /// The setup of a link to `peer`'s CURVE server, using `<peer>.pub`.
    public func client(of peer: String) throws(CurveConfigurationError) -> LinkSecurity {
        guard let key = peers[peer] else {
            throw .missingFile(path: Self.path(directory, "\(peer).pub"), what: "public key of \(peer)")
        }
        return .curveClient(keyPair, serverKey: key)
    }

    /// Reads and checks the folder; throws naming the first file that is missing or wrong.
    public static func load(directory: String, service: String) throws(CurveConfigurationError) -> CurveConfiguration {
        guard CurveKeyPair.isSupported else { throw .unsupported }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder), isFolder.boolValue else {
            throw .missingDirectory(path: directory)
        }
        let secretPath = path(directory, "\(service).key")
        guard FileManager.default.fileExists(atPath: secretPath) else {
            throw .missingFile(path: secretPath, what: "secret key of \(service)")
        }
        try checkPrivate(secretPath)
        let secret = try readKey(secretPath)
        let keyPair: CurveKeyPair
        do { keyPair = try CurveKeyPair(secretKey: secret) } catch { throw .unreadable(path: secretPath, reason: "\(error)") }

        let peers = try publicKeys(in: directory)
        let publicPath = path(directory, "\(service).pub")
        if let own = peers[service], own != keyPair.publicKey {
            throw .mismatchedKeys(secretPath: secretPath, publicPath: publicPath)
        }
        let authorized = try publicKeys(in: path(directory, "authorized"))
        return CurveConfiguration(
            directory: directory, service: service, keyPair: keyPair, peers: peers,
            allowed: Set(peers.values).union(authorized.values))
    }

    /// Every `<name>.pub` in `folder` (none when the folder does not exist). A folder that is
    /// there but cannot be listed is an error: reading it as empty would refuse its peers
    /// without saying why.
    static func publicKeys(in folder: String) throws(CurveConfigurationError) -> [String: CurveKey] {
        guard FileManager.default.fileExists(atPath: folder) else { return [:] }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw .unreadable(path: folder, reason: "\(error.localizedDescription)")
        }
        var keys: [String: CurveKey] = [:]
        for name in names.sorted() where name.hasSuffix(".pub") {
            keys[String(name.dropLast(4))] = try readKey(path(folder, name))
        }
        return keys
    }

    static func readKey(_ file: String) throws(CurveConfigurationError) -> CurveKey {
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch { throw .unreadable(path: file, reason: "\(error.localizedDescription)") }
        do { return try CurveKey(z85: text) } catch { throw .malformedKey(path: file, reason: error) }
    }

    /// A secret key must not be readable (or writable) by other users.
    /// Group bits are allowed here, unlike on stores: a CURVE key may be shared with the group
    /// that runs the services, as the README describes.
    static func checkPrivate(_ file: String) throws(CurveConfigurationError) {
        let found: mode_t?
        do { found = try OwnerOnlyFiles.mode(of: file) } catch { throw .unreadable(path: file, reason: "\(error)") }
        guard let mode = found else { throw .unreadable(path: file, reason: String(cString: strerror(ENOENT))) }
        if mode & 0o007 != 0 { throw .accessibleToOthers(path: file, mode: String(mode, radix: 8)) }
    }

    static func path(_ folder: String, _ name: String) -> String {
        URL(fileURLWithPath: folder).appendingPathComponent(name).path
    }
}
