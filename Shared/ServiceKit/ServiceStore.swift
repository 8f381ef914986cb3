import Foundation
import GRDB
import Messaging

/// Opens a service's own SQLite file (WAL, `synchronous=FULL` for a durable inbox and outbox)
/// and brings it to the current schema: the messaging tables plus the service's migrations.
public enum ServiceStore {
    public static func open(path: String, migrations: (inout DatabaseMigrator) -> Void) throws -> DatabasePool {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        MessageStore.registerMigrations(&migrator)
        migrations(&migrator)
        try migrator.migrate(pool)
        return pool
    }
}
