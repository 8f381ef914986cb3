import GRDB
import ServiceKit

/// Every migration of the preprocessor's store, in the order its tables were introduced: the one
/// place the service and tests that open a store of their own take them from.
enum PreprocessorMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        PreprocessorStore.migrations(&migrator)
        AuditOutbox.migrations(&migrator)
    }
}
