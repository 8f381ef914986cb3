import CarbonModel
/// Request and answer of `apikey.verify.v1`, which services send to auth to learn who holds
/// an API key. Keys are `cmk_<key id>_<secret>`; auth stores only a hash of the secret.
public struct APIKeyVerificationRequest: Codable, Sendable {
    public static let messageType = "apikey.verify.v1"
    public var key: String
    public init(key: String) { self.key = key }
}

public struct APIKeyIdentity: Codable, Sendable, Hashable {
    public var valid: Bool
    public var keyID: String?
    public var tenant: String?
    public var role: String?

    enum CodingKeys: String, CodingKey {
        case valid, tenant, role
        case keyID = "key_id"
    }

    public init(valid: Bool, keyID: String? = nil, tenant: String? = nil, role: String? = nil) {
        self.valid = valid
        self.keyID = keyID
        self.tenant = tenant
        self.role = role
    }
}
