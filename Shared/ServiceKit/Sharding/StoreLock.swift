import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive claim on one SQLite store, held for as long as the process lives: an `flock` on
/// `<store>.lock` beside it. Two processes must never open the same store (each would keep its
/// own idea of the inbox and outbox), and a replica that dies — even by SIGKILL — lets go
/// because the kernel drops the lock with the process. That is what lets a standby replica take
/// a dead one's shard over (`ShardClaim`).
public final class StoreLock: Sendable {
    public let storePath: String
    private let descriptor: Int32

    private init(storePath: String, descriptor: Int32) {
        self.storePath = storePath
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The lock file beside a store.
    public static func lockPath(forStore storePath: String) -> String { storePath + ".lock" }

    /// Takes the lock, or returns nil when another process holds it. Throws when the lock file
    /// cannot be created (a missing or read-only data folder).
    public static func tryAcquire(storePath: String) throws(StoreLockError) -> StoreLock? {
        let path = lockPath(forStore: storePath)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try OwnerOnlyFiles.makeFolder(folder)
        } catch {
            throw StoreLockError(path: path, reason: "cannot create the folder \(folder): \(error)")
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        // Set explicitly: the umask decides nothing about the files of a store.
        if descriptor >= 0 { _ = fchmod(descriptor, OwnerOnlyFiles.fileMode) }
        guard descriptor >= 0 else {
            throw StoreLockError(path: path, reason: String(cString: strerror(errno)))
        }
        // flock, not fcntl: an flock belongs to the open file description, so it is exclusive
        // even between two claims made by one process (the tests rely on that), and SQLite's
        // own fcntl locks on the database file are left untouched.
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { return nil }
            throw StoreLockError(path: path, reason: String(cString: strerror(code)))
        }
        return StoreLock(storePath: storePath, descriptor: descriptor)
    }
}

/// Why a store's lock file could not be taken (not: that another process holds it).
public struct StoreLockError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "cannot lock \(path): \(reason)" }
}
