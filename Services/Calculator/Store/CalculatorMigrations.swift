import GRDB
import ServiceKit

/// Every migration of the calculator's store, in the order its tables were introduced: the one
/// place the service and tests that open a store of their own take them from.
enum CalculatorMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        CalculatorStore.migrations(&migrator)
        AuditOutbox.migrations(&migrator)
        TagUsageLedger.migrations(&migrator)
        CalculationFailures.migrations(&migrator)
        PublishedTenantCells.migrations(&migrator)
        CalculatorStore.recalculationAfterUpgrade(&migrator)
        CalculatorStore.factorValidity(&migrator)
    }
}
