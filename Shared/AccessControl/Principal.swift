/// Who made a request, as established by a verified access token or API key.
public struct Principal: Sendable, Hashable, Codable {
    /// A user name, or `key:<key id>` for an API key.
    public var subject: String
    /// The tenant the principal is bound to; nil for the provider's own staff and services.
    public var tenant: String?
    public var role: Role
    /// The token's `jti`, when the principal came from a token (what a revocation names).
    public var tokenID: String?

    public init(subject: String, tenant: String?, role: Role, tokenID: String? = nil) {
        self.subject = subject
        self.tenant = tenant
        self.role = role
        self.tokenID = tokenID
    }

    /// True for principals that act for the provider rather than one tenant.
    public var isProvider: Bool { tenant == nil }
}
