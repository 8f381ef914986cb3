import GRDB
import Messaging
import ServiceKit

/// Every migration of the reporter's store, in the order its tables were introduced: the one
/// place the service and tests that open a store of their own take them from.
enum ReporterMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        LedgerStore.migrations(&migrator)
        LedgerStore.qualityMigration(&migrator)
        ReportFactorStore.migrations(&migrator)
        ManagementStore.migrations(&migrator)
        BusinessMetricStore.migrations(&migrator)
        AuditOutbox.migrations(&migrator)
        TagLedgerStore.migrations(&migrator)
        DerivedTenantCells.migrations(&migrator)
        UniformHours.migrations(&migrator)
        StagedPages.migrations(&migrator)
        PartitionVersions.migrations(&migrator)
        HourlyMatchingColumns.migrations(&migrator)
        ProfiledQualityColumns.migrations(&migrator)
        WaterColumns.migrations(&migrator)
        SiteMeasureStore.migrations(&migrator)
        IndicatorTargetStore.migrations(&migrator)
    }
}
