import CarbonModel
/// Answer of `auth.signingkeys.get.v1`: the public keys that verify auth's access tokens, by
/// key id (`kid` in the token header). Raw Ed25519 public keys, base64url.
public struct SigningKeySet: Codable, Sendable, Hashable {
    public static let messageType = "auth.signingkeys.get.v1"

    public struct Key: Codable, Sendable, Hashable {
        public var keyID: String
        public var publicKey: String
        enum CodingKeys: String, CodingKey { case keyID = "key_id", publicKey = "public_key" }
        public init(keyID: String, publicKey: String) {
            self.keyID = keyID
            self.publicKey = publicKey
        }
    }

    public var keys: [Key]
    public init(keys: [Key]) { self.keys = keys }
}

/// Answer of `auth.revocations.get.v1`: the ids (`jti`) of revoked tokens that have not expired
/// yet. Services poll it every second or so; a revocation therefore reaches them within seconds.
public struct RevocationList: Codable, Sendable, Hashable {
    public static let messageType = "auth.revocations.get.v1"
    public var revokedTokenIDs: [String]
    /// Auth's clock when the list was read, seconds since 1970.
    public var asOf: Int64

    enum CodingKeys: String, CodingKey { case revokedTokenIDs = "revoked_token_ids", asOf = "as_of" }

    public init(revokedTokenIDs: [String], asOf: Int64) {
        self.revokedTokenIDs = revokedTokenIDs
        self.asOf = asOf
    }
}

/// Body of `audit.denial.v1`: a service tells auth it refused a request, so that the denial
/// lands in auth's hash-chained audit log.
public struct DenialReport: Codable, Sendable, Hashable {
    public static let messageType = "audit.denial.v1"
    public var service: String
    /// The user or `key:<id>` that was refused; nil when no valid credential was presented.
    public var subject: String?
    public var tenant: String?
    public var role: String?
    /// What was attempted, e.g. `GET /v1/emissions`.
    public var action: String
    public var reason: String

    public init(service: String, subject: String?, tenant: String?, role: String?, action: String, reason: String) {
        self.service = service
        self.subject = subject
        self.tenant = tenant
        self.role = role
        self.action = action
        self.reason = reason
    }
}
