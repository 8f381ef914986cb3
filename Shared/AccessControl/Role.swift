/// The roles a user or an API key holds. Provider roles act without a tenant and see every
/// tenant and the provider views; tenant roles are bound to one tenant.
public enum Role: String, CaseIterable, Codable, Sendable, Hashable {
    /// Runs the suite: every tenant, the provider views, identities.
    case providerAdmin = "provider_admin"
    /// Manages one tenant's users and keys, reads and writes that tenant's data.
    case tenantAdmin = "tenant_admin"
    /// Reads reports.
    case analyst
    /// Reads reports and the audit log.
    case auditor
    /// Writes activity data (collectors, usually through an API key).
    case collector

    /// Roles that may read emissions.
    public var mayRead: Bool { self != .collector }
    /// Roles that may write activity data and declarations.
    public var mayWrite: Bool { self == .collector || self == .tenantAdmin || self == .providerAdmin }
}
