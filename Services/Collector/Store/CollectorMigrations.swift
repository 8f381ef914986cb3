import GRDB
import ServiceKit

/// Every migration of the collector's store, in the order its tables were introduced: the one
/// place the service and tests that open a store of their own take them from.
enum CollectorMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        CollectorStore.migrations(&migrator)
        BillingExportStore.migrations(&migrator)
        AuditOutbox.migrations(&migrator)
    }
}
