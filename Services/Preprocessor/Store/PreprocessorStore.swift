import CarbonModel
import Foundation
import GRDB

/// The preprocessor's own store: the registry it validates against, every accepted record at
/// its latest revision (with the history of earlier ones), the normalized hourly series, and
/// the quarantine of rejected records.
enum PreprocessorStore {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("preprocessor-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sites (site TEXT PRIMARY KEY, declaration BLOB NOT NULL) WITHOUT ROWID;
                    CREATE TABLE products (product TEXT PRIMARY KEY, declaration BLOB NOT NULL) WITHOUT ROWID;
                    CREATE TABLE factors (factor TEXT PRIMARY KEY, declaration BLOB NOT NULL) WITHOUT ROWID;
                    CREATE TABLE records (
                        source TEXT NOT NULL,
                        id TEXT NOT NULL,
                        revision INTEGER NOT NULL CHECK (revision >= 1),
                        kind TEXT NOT NULL,
                        canonical BLOB NOT NULL,
                        PRIMARY KEY (source, id)
                    ) WITHOUT ROWID;
                    CREATE TABLE record_history (
                        source TEXT NOT NULL,
                        id TEXT NOT NULL,
                        revision INTEGER NOT NULL,
                        canonical BLOB NOT NULL,
                        replaced_at INTEGER NOT NULL,
                        PRIMARY KEY (source, id, revision)
                    ) WITHOUT ROWID;
                    CREATE TABLE hourly_series (
                        series TEXT NOT NULL,
                        bucket INTEGER NOT NULL,
                        amount INTEGER NOT NULL,
                        PRIMARY KEY (series, bucket)
                    ) WITHOUT ROWID;
                    CREATE TABLE quarantine (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        batch TEXT NOT NULL,
                        entity TEXT NOT NULL,
                        format TEXT NOT NULL,
                        position INTEGER NOT NULL,
                        field TEXT,
                        reason TEXT NOT NULL,
                        raw BLOB NOT NULL,
                        received_at INTEGER NOT NULL
                    );
                    CREATE INDEX quarantine_batch ON quarantine (batch);
                    """)
        }
        // The tenant whose credentials sent each quarantined record's batch (NULL: the provider),
        // so that a tenant lists only its own rejections.
        migrator.registerMigration("preprocessor-v2") { db in
            try db.execute(sql: "ALTER TABLE quarantine ADD COLUMN tenant TEXT")
        }
        // The per-record hourly series were kept here as well as in the calculator, which is
        // the only stage that reads them; writing them cost a statement per hour per record.
        migrator.registerMigration("preprocessor-v3-no-hourly-series") { db in
            try db.execute(sql: "DROP TABLE hourly_series")
        }
        // A record is `(owner, source, id)`: the tenant whose credentials wrote it ('' for the
        // provider) is part of its identity, so a tenant cannot revise or blank another's record
        // by reusing its source and id. Rows stored before owners were recorded become the
        // provider's with `owner_unknown = 1`: the provider may revise them, and a tenant may
        // take over one that names it (`RecordOwnership.mayAdopt`), so re-sending old data
        // revises it instead of counting it twice.
        migrator.registerMigration("preprocessor-v4-record-owner") { db in
            try db.execute(
                sql: """
                    CREATE TABLE records_owned (
                        source TEXT NOT NULL,
                        id TEXT NOT NULL,
                        owner TEXT NOT NULL,
                        revision INTEGER NOT NULL CHECK (revision >= 1),
                        kind TEXT NOT NULL,
                        canonical BLOB NOT NULL,
                        owner_unknown INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (source, id, owner)
                    ) WITHOUT ROWID;
                    INSERT INTO records_owned (source, id, owner, revision, kind, canonical, owner_unknown)
                        SELECT source, id, '', revision, kind, canonical, 1 FROM records;
                    DROP TABLE records;
                    ALTER TABLE records_owned RENAME TO records;
                    CREATE INDEX records_owner_unknown ON records (source, id) WHERE owner_unknown = 1;
                    CREATE TABLE record_history_owned (
                        source TEXT NOT NULL,
                        id TEXT NOT NULL,
                        owner TEXT NOT NULL,
                        revision INTEGER NOT NULL,
                        canonical BLOB NOT NULL,
                        replaced_at INTEGER NOT NULL,
                        PRIMARY KEY (source, id, owner, revision)
                    ) WITHOUT ROWID;
                    INSERT INTO record_history_owned (source, id, owner, revision, canonical, replaced_at)
                        SELECT source, id, '', revision, canonical, replaced_at FROM record_history;
                    DROP TABLE record_history;
                    ALTER TABLE record_history_owned RENAME TO record_history;
                    """)
        }
    }

    /// The declared sites and products validation checks records against. A stored declaration
    /// that does not decode is an error naming it: dropping it would quietly take a site out of
    /// validation, and every record naming it would then be rejected as unknown.
    static func loadRegistry(_ db: Database) throws -> Registry {
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, table: String, key: String, declaration: Data) throws -> T {
            do { return try decoder.decode(T.self, from: declaration) } catch {
                throw DatabaseError(message: "\(table): the stored declaration of \(key) does not decode: \(error)")
            }
        }
        let sites = try RegistrySiteRow.fetchAll(db).map {
            try decode(SiteDeclaration.self, table: RegistrySiteRow.databaseTableName, key: "site \($0.site)", declaration: $0.declaration)
        }
        let products = try RegistryProductRow.fetchAll(db).map {
            try decode(ProductDeclaration.self, table: RegistryProductRow.databaseTableName, key: "product \($0.product)", declaration: $0.declaration)
        }
        return Registry(
            sites: Dictionary(sites.map { ($0.site, $0) }, uniquingKeysWith: { _, last in last }),
            products: Dictionary(products.map { ($0.product, $0) }, uniquingKeysWith: { _, last in last }))
    }

    static func quarantineCount(_ db: Database) throws -> Int {
        try QuarantineEntry.fetchCount(db)
    }
}

/// A declared site as validation reads it, its declaration as stored (JSON): a row of `sites`.
struct RegistrySiteRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "sites"
    var site: String
    var declaration: Data
}

/// A declared product as validation reads it, its declaration as stored (JSON): a row of
/// `products`.
struct RegistryProductRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "products"
    var product: String
    var declaration: Data
}
