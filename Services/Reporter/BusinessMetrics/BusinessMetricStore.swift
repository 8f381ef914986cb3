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

    /// One uploaded value.
    struct Metric: Codable, Sendable, Hashable {
        var tenant: String
        var month: String
        var metric: String
        var value: Double
        var unit: String
    }

    static func store(_ db: Database, _ metrics: [Metric]) throws {
        for m in metrics {
            try db.execute(
                sql: """
                    INSERT INTO business_metrics (tenant, month, metric, value, unit) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (tenant, metric, month) DO UPDATE SET value = excluded.value, unit = excluded.unit
                    """, arguments: [m.tenant, m.month, m.metric, m.value, m.unit])
        }
    }

    static func list(_ db: Database, tenant: String?, metric: String?) throws -> [Metric] {
        var sql = "SELECT tenant, month, metric, value, unit FROM business_metrics WHERE 1 = 1"
        var arguments: [any DatabaseValueConvertible] = []
        if let tenant {
            sql += " AND tenant = ?"
            arguments.append(tenant)
        }
        if let metric {
            sql += " AND metric = ?"
            arguments.append(metric)
        }
        return try Row.fetchAll(db, sql: sql + " ORDER BY tenant, metric, month", arguments: StatementArguments(arguments)).map {
            Metric(tenant: $0["tenant"], month: $0["month"], metric: $0["metric"], value: $0["value"], unit: $0["unit"])
        }
    }
}
