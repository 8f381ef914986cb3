import Foundation
import GRDB
import Logging
import ServiceKit

/// Auth's store together with what is kept beside it — the token signing key and the audit
/// trail — opened the one way every auth process (the service and the commands that change
/// identities) must open it: files checked owner-only, the store migrated (which moves an old
/// store's private key out of it), the keys loaded, and every audit append signed.
struct AuthStore: Sendable {
    let database: DatabasePool
    let files: AuthFiles
    let signing: TokenSigningKey
    let audit: AuditTrail

    static func open(_ common: CommonOptions, logger: Logger) async throws -> AuthStore {
        let files = AuthFiles(dataDir: common.dataDir, instance: common.instanceName(service: "auth"))
        // Refuse before anything is read or written: a key readable by others may already be
        // someone else's too, and the operator has to know.
        for file in files.privateFiles { try OwnerOnlyFiles.requireClosed(file) }
        let database = try ServiceStore.open(path: files.store) { IdentityStore.migrations(&$0, files: files, logger: logger) }
        // Old pages (a private key before the upgrade moved it out) may linger in the WAL file:
        // fold it into the store, whose freed pages are zeroed, and empty it. Raw SQL because the
        // pragma reports a checkpoint blocked by a reader, where `db.checkpoint` would throw.
        try await database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let signing = try await TokenSigningKey.load(database, file: files.signingKey, logger: logger)
        let audit = try AuditTrail.load(files: files, logger: logger)
        try await audit.prepare(database, logger: logger)
        database.add(transactionObserver: audit.writer(logger: logger), extent: .databaseLifetime)
        return AuthStore(database: database, files: files, signing: signing, audit: audit)
    }
}
