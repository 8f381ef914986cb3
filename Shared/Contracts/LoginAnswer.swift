/// The answer of auth's `POST /v1/login`: the access token to send as `Authorization: Bearer`,
/// when it expires (seconds since 1970), and the tenant and role it carries. `carbonctl login`
/// reads it.
public struct LoginAnswer: Codable, Sendable, Hashable {
    public var token: String
    public var tokenType = "Bearer"
    public var expiresAt: Int64
    public var tenant: String?
    public var role: String

    public init(token: String, expiresAt: Int64, tenant: String?, role: String) {
        self.token = token
        self.expiresAt = expiresAt
        self.tenant = tenant
        self.role = role
    }

    enum CodingKeys: String, CodingKey { case token, tenant, role, tokenType = "token_type", expiresAt = "expires_at" }
}
