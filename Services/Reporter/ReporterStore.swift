import GRDB
import Messaging
import ServiceKit

/// The reporter's store: every migration of its tables, in the order they were introduced,
/// for the service and for tests that open a store of their own.
enum ReporterStore {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        LedgerStore.migrations(&migrator)
        LedgerStore.qualityMigration(&migrator)
        InsightRoutes.migrations(&migrator)
        BusinessMetricStore.migrations(&migrator)
        AuditOutbox.migrations(&migrator)
        TagLedgerStore.migrations(&migrator)
        DerivedTenantCells.migrations(&migrator)
        UniformHours.migrations(&migrator)
        StagedPages.migrations(&migrator)
        PartitionVersions.migrations(&migrator)
    }
}
