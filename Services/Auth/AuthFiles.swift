import Foundation

/// Where an auth instance keeps its files in the data folder: the store, the two Ed25519 key
/// files (kept out of the store, so neither the store nor its backups hold a private key) and
/// the audit checkpoints. Every one of them is the owner's alone (mode 0600).
struct AuthFiles: Sendable, Equatable {
    var dataDir: String
    var instance: String

    /// `<data-dir>/<instance>.sqlite`.
    var store: String { path("\(instance).sqlite") }
    /// The key that signs access tokens: `<instance>-signing.key`.
    var signingKey: String { path("\(instance)-signing.key") }
    /// The key that signs audit checkpoints: `<instance>-audit.key`. Its own key, so that a
    /// leaked token key cannot also rewrite the audit trail's signatures.
    var auditKey: String { path("\(instance)-audit.key") }
    /// Signed chain heads of the audit log, one line per append: `<instance>-audit-checkpoints.log`.
    var auditCheckpoints: String { path("\(instance)-audit-checkpoints.log") }

    /// The files that must be owner-only for auth to start (the store's companions are checked
    /// when the store is opened).
    var privateFiles: [String] { [store, signingKey, auditKey, auditCheckpoints] }

    private func path(_ name: String) -> String { URL(fileURLWithPath: dataDir).appendingPathComponent(name).path }
}
