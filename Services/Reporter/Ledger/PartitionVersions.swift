import CarbonModel
import Contracts
import Foundation
import GRDB

/// The version of each calculator partition's part of a region-month (``CalculatorPartition``):
/// what orders and checks the publications of one partition, while the ledger's own version
/// of the region-month (`versions`, `version_history`) counts every change from any
/// partition. With a single calculator the two are the same number.
///
/// Each partition's current factors are kept too, so the factors of a ledger version are
/// those of every partition's cells in force in it.
enum PartitionVersions {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporter-partitions-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE partition_versions (
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        part INTEGER NOT NULL,
                        parts INTEGER NOT NULL,
                        version INTEGER NOT NULL,
                        factors BLOB NOT NULL,
                        PRIMARY KEY (region, month, part)
                    ) WITHOUT ROWID;
                    INSERT INTO partition_versions (region, month, part, parts, version, factors)
                    SELECT v.region, v.month, 0, 1, v.version, COALESCE(h.factors, CAST('[]' AS BLOB))
                    FROM versions v LEFT JOIN version_history h ON h.region = v.region AND h.month = v.month AND h.version = v.version;
                    ALTER TABLE ledger_cells ADD COLUMN part INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE staged_pages RENAME TO staged_pages_before_partitions;
                    CREATE TABLE staged_pages (
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        part INTEGER NOT NULL,
                        version INTEGER NOT NULL,
                        page INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        PRIMARY KEY (region, month, part, version, page)
                    ) WITHOUT ROWID;
                    INSERT INTO staged_pages (region, month, part, version, page, body)
                    SELECT region, month, 0, version, page, body FROM staged_pages_before_partitions;
                    DROP TABLE staged_pages_before_partitions;
                    """)
        }
    }

    /// The version of `part` held for a region-month, if any.
    static func held(_ db: Database, region: String, month: String, part: Int) throws -> Int? {
        try PartitionVersionRow.filter(key: ["region": region, "month": month, "part": part])
            .select(PartitionVersionRow.Columns.version, as: Int.self).fetchOne(db)
    }

    /// Records that `publication`'s partition now holds its version, with its factors.
    static func record(_ db: Database, _ publication: RegionMonthPublication, factors: Data) throws {
        let partition = publication.partition ?? .whole
        // save, not upsert: GRDB's upsert returns the rowid, which a WITHOUT ROWID table lacks.
        // save updates the row with the key, or inserts it when there is none.
        try PartitionVersionRow(
            region: publication.region, month: publication.month.description, part: partition.index, parts: partition.count,
            version: publication.version, factors: factors
        ).save(db)
    }

    /// The factors of the other partitions' current versions of a region-month.
    static func otherFactors(_ db: Database, region: String, month: String, part: Int) throws -> [FactorReference] {
        let decoder = JSONDecoder()
        var factors: [FactorReference] = []
        let others = PartitionVersionRow.filter(
            PartitionVersionRow.Columns.region == region && PartitionVersionRow.Columns.month == month && PartitionVersionRow.Columns.part != part)
        for blob in try others.select(PartitionVersionRow.Columns.factors, as: Data.self).fetchAll(db) {
            factors += try decoder.decode([FactorReference].self, from: blob)
        }
        return factors
    }
}

/// The version a calculator partition's part of a region-month is at, with that version's
/// factors: a row of `partition_versions`.
struct PartitionVersionRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "partition_versions"
    var region: String
    var month: String
    /// The partition's index (0 for a single calculator) and how many partitions there are.
    var part: Int
    var parts: Int
    var version: Int
    /// The factors of the version, as JSON (`[FactorReference]`).
    var factors: Data

    enum Columns {
        static let region = Column(CodingKeys.region)
        static let month = Column(CodingKeys.month)
        static let part = Column(CodingKeys.part)
        static let version = Column(CodingKeys.version)
        static let factors = Column(CodingKeys.factors)
    }
}
