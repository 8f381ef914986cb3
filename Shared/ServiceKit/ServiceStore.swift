import Foundation
import GRDB
import Messaging

/// Opens a service's own SQLite file (WAL, `synchronous=FULL` for a durable inbox and outbox)
/// and brings it to the current schema: the messaging tables plus the service's migrations.
///
/// The store is the owner's alone: a new one is created 0600 (its folder 0700) before SQLite
/// touches it, so its `-wal` and `-shm` files, which SQLite creates with the store's mode, are
/// 0600 too; an existing one that group or others could read or write is refused, naming the
/// file and the `chmod` that fixes it.
public enum ServiceStore {
    public static func open(path: String, migrations: (inout DatabaseMigrator) -> Void) throws -> DatabasePool {
        try prepareFile(path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // A pragma: SQL is the only way to say it.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        MessageStore.registerMigrations(&migrator)
        migrations(&migrator)
        try migrator.migrate(pool)
        return pool
    }

    /// The files SQLite keeps beside a store: they hold recent writes and must be as private.
    public static func companionFiles(of path: String) -> [String] { [path + "-wal", path + "-shm", path + "-journal"] }

    /// Makes the folder and an empty owner-only store when there is none; refuses a store (or a
    /// companion file left by a previous run) open to other users.
    public static func prepareFile(_ path: String) throws(OwnerOnlyFileError) {
        try OwnerOnlyFiles.makeFolder(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        for file in [path] + companionFiles(of: path) { try OwnerOnlyFiles.requireClosed(file) }
        if try OwnerOnlyFiles.mode(of: path) == nil {
            do { try OwnerOnlyFiles.createFile(path) } catch .exists(_) {
                // Created by another process in the meantime: it was checked or made by the same rules.
            }
        }
    }
}
