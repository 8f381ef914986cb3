import CarbonModel
import Foundation
import GRDB

/// The business metrics tenants upload (orders, revenue, active users… per month), kept in the
/// reporter's own store so that emissions can be put per unit of business activity. One value
/// per (tenant, month, metric); a new upload of the same key replaces it.
enum BusinessMetricStore {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporter-business-metrics-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE business_metrics (
                        tenant TEXT NOT NULL,
                        month TEXT NOT NULL,
                        metric TEXT NOT NULL,
                        value REAL NOT NULL CHECK (value >= 0),
                        unit TEXT NOT NULL,
                        PRIMARY KEY (tenant, metric, month)
                    ) WITHOUT ROWID;
                    """)
        }
    }

    /// One uploaded value: an item of `POST /v1/business-metrics` and of its listing, and a row
    /// of `business_metrics`.
    struct Metric: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
        static let databaseTableName = "business_metrics"
        var tenant: String
        var month: String
        var metric: String
        var value: Double
        var unit: String

        enum Columns {
            static let tenant = Column(CodingKeys.tenant)
            static let month = Column(CodingKeys.month)
            static let metric = Column(CodingKeys.metric)
        }
    }

    /// Stores the values; a value of a (tenant, metric, month) already stored is replaced.
    static func store(_ db: Database, _ metrics: [Metric]) throws {
        // save, not upsert: GRDB's upsert returns the rowid, which a WITHOUT ROWID table lacks.
        // save updates the row with the key, or inserts it when there is none.
        for metric in metrics { try metric.save(db) }
    }

    /// The stored values (of `tenant` and/or `metric`, or all), by tenant, metric and month.
    static func list(_ db: Database, tenant: String?, metric: String?) throws -> [Metric] {
        var request = Metric.order(Metric.Columns.tenant, Metric.Columns.metric, Metric.Columns.month)
        if let tenant { request = request.filter(Metric.Columns.tenant == tenant) }
        if let metric { request = request.filter(Metric.Columns.metric == metric) }
        return try request.fetchAll(db)
    }
}
