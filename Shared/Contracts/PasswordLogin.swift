import CarbonModel
/// Body of `auth.login.v1`: a service that shows a login form of its own (the reporter's
/// dashboard) forwards the user name and password to auth over ZeroMQ. Auth answers through
/// the same login path as `POST /v1/login`, so throttling, lockout and the audit log apply.
/// `client` names where the form was filled in (e.g. `reporter dashboard`), for the audit log.
public struct PasswordLoginRequest: Codable, Sendable, Hashable {
    public static let messageType = "auth.login.v1"
    public var username: String
    public var password: String
    public var client: String?

    public init(username: String, password: String, client: String? = nil) {
        self.username = username
        self.password = password
        self.client = client
    }
}

/// Answer of `auth.login.v1`. Status 200: `token` and its `expires_at` (seconds since 1970).
/// Status 401: wrong name or password (auth has already held the answer for the throttle's
/// delay). Status 429: the name is locked for `retry_after_seconds`.
public struct PasswordLoginAnswer: Codable, Sendable, Hashable {
    public var token: String?
    public var expiresAt: Int64?
    public var tenant: String?
    public var role: String?
    public var retryAfterSeconds: Int64?

    enum CodingKeys: String, CodingKey {
        case token, tenant, role
        case expiresAt = "expires_at"
        case retryAfterSeconds = "retry_after_seconds"
    }

    public init(token: String? = nil, expiresAt: Int64? = nil, tenant: String? = nil, role: String? = nil, retryAfterSeconds: Int64? = nil) {
        self.token = token
        self.expiresAt = expiresAt
        self.tenant = tenant
        self.role = role
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// Body of `auth.logout.v1`: revoke the access token a service holds for a session (the
/// dashboard's cookie), as `POST /v1/logout` does for a bearer. Answer: `{"revoked": "<jti>"}`,
/// or status 401 when the token is not valid.
public struct TokenLogoutRequest: Codable, Sendable, Hashable {
    public static let messageType = "auth.logout.v1"
    public var token: String
    public var client: String?

    public init(token: String, client: String? = nil) {
        self.token = token
        self.client = client
    }
}
