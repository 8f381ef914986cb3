import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Creates and checks the files and folders that hold a service's data and secrets — stores,
/// backups, key files — so that they are the owner's alone (files 0600, folders 0700) whatever
/// the process umask, and refuses ones that other users could read or change.
///
/// Modes are set explicitly after creation (`fchmod`/`chmod`) because the umask only ever
/// removes bits: a umask of 0o022 still leaves 0644, which is what let a local user read auth's
/// signing key. SQLite gives a store's `-wal` and `-shm` files the mode of the store itself, so
/// creating the store 0600 before SQLite opens it covers them too.
public enum OwnerOnlyFiles {
    public static let fileMode: mode_t = 0o600
    public static let folderMode: mode_t = 0o700
    /// Group and others: no bit of these may be set on a store or a key file.
    public static let othersBits: mode_t = 0o077

    /// Creates `path` and any missing parent folders with mode 0700. Folders that exist keep
    /// their mode: an operator's data folder is theirs to set.
    public static func makeFolder(_ path: String) throws(OwnerOnlyFileError) {
        var missing: [String] = []
        var url = URL(fileURLWithPath: path).standardizedFileURL
        while !FileManager.default.fileExists(atPath: url.path), url.path != "/" {
            missing.append(url.path)
            url.deleteLastPathComponent()
        }
        for folder in missing.reversed() {
            if mkdir(folder, folderMode) != 0, errno != EEXIST {
                throw .cannotCreate(path: folder, reason: String(cString: strerror(errno)))
            }
            guard chmod(folder, folderMode) == 0 else { throw .cannotCreate(path: folder, reason: String(cString: strerror(errno))) }
        }
    }

    /// Creates `path` holding `contents`, mode 0600 from the first byte on, flushed to disk.
    /// Fails with `.exists` when the file is already there (so two writers never mix).
    public static func createFile(_ path: String, contents: Data = Data()) throws(OwnerOnlyFileError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        guard descriptor >= 0 else {
            if errno == EEXIST { throw .exists(path: path) }
            throw .cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        guard fchmod(descriptor, fileMode) == 0 else { throw .cannotCreate(path: path, reason: String(cString: strerror(errno))) }
        let written = contents.withUnsafeBytes { bytes in bytes.isEmpty ? 0 : write(descriptor, bytes.baseAddress, bytes.count) }
        guard written == contents.count, fsync(descriptor) == 0 else {
            throw .cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        // The folder's entry too: a key file that vanished in a crash would be a key lost.
        let folder = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            _ = fsync(folder)
            close(folder)
        }
    }

    /// The permission bits of `path`; nil when it does not exist.
    public static func mode(of path: String) throws(OwnerOnlyFileError) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        return info.st_mode & 0o777
    }

    /// Throws, naming the file and the fix, when `path` has any of `forbidden` set. A missing
    /// file passes: callers that need it check for it themselves.
    public static func requireClosed(_ path: String, to forbidden: mode_t = othersBits) throws(OwnerOnlyFileError) {
        guard let mode = try mode(of: path) else { return }
        if mode & forbidden != 0 { throw .openToOthers(path: path, mode: String(mode, radix: 8)) }
    }
}

/// Why a store, backup or key file could not be created, or why it may not be used: names the
/// file and, for one open to others, the command that fixes it. Never contains file contents.
public enum OwnerOnlyFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotCreate(path: String, reason: String)
    case exists(path: String)
    case unreadable(path: String, reason: String)
    case openToOthers(path: String, mode: String)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason): return "cannot create \(path): \(reason)"
        case .exists(let path): return "\(path) exists already"
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        case .openToOthers(let path, let mode):
            return "\(path) has mode \(mode): other users could read or change it; run `chmod 600 \(path)` (the service refuses to start until then)"
        }
    }
}
