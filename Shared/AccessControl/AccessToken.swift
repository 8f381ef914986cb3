import Crypto
import Foundation

/// What an access token asserts. Field names are the registered JWT claims (RFC 7519) plus
/// `tenant` and `role`.
public struct TokenClaims: Codable, Sendable, Hashable {
    public var issuer: String
    public var subject: String
    public var tenant: String?
    public var role: Role
    /// Seconds since 1970, UTC.
    public var issuedAt: Int64
    public var expiresAt: Int64
    /// Unique id of this token: what a revocation names.
    public var tokenID: String

    enum CodingKeys: String, CodingKey {
        case issuer = "iss", subject = "sub", tenant, role, issuedAt = "iat", expiresAt = "exp", tokenID = "jti"
    }

    public init(issuer: String = AccessToken.issuer, subject: String, tenant: String?, role: Role, issuedAt: Int64, expiresAt: Int64, tokenID: String) {
        self.issuer = issuer
        self.subject = subject
        self.tenant = tenant
        self.role = role
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.tokenID = tokenID
    }

    public var principal: Principal { Principal(subject: subject, tenant: tenant, role: role, tokenID: tokenID) }
}

/// Why a token was not accepted. The messages are safe to show to the caller.
public enum TokenRejection: Error, Sendable, Hashable, CustomStringConvertible {
    case malformed
    case unknownKey(String)
    case badSignature
    case expired
    case revoked

    public var description: String {
        switch self {
        case .malformed: return "the token is not a CarbonMeter access token"
        case .unknownKey(let kid): return "the token was signed with an unknown key (\(kid))"
        case .badSignature: return "the token's signature does not verify"
        case .expired: return "the token has expired; log in again"
        case .revoked: return "the token has been revoked"
        }
    }
}

/// Compact JWS access tokens (`header.payload.signature`, JWT-compatible) signed with Ed25519
/// (`alg: EdDSA`, RFC 8037). Auth signs; every other service verifies locally with auth's
/// public key, so a request costs no round trip to auth.
public enum AccessToken {
    public static let issuer = "carbonmeter-auth"

    struct Header: Codable {
        var alg: String
        var typ: String
        var kid: String
    }

    public static func sign(_ claims: TokenClaims, key: Curve25519.Signing.PrivateKey, keyID: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let header = Base64URL.encode(try encoder.encode(Header(alg: "EdDSA", typ: "JWT", kid: keyID)))
        let payload = Base64URL.encode(try encoder.encode(claims))
        let signingInput = Data("\(header).\(payload)".utf8)
        let signature = try key.signature(for: signingInput)
        return "\(header).\(payload).\(Base64URL.encode(signature))"
    }

    /// The key id a token names, so a verifier can fetch a key it does not know yet.
    public static func keyID(of token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        // A header that does not decode names no key: the token is then refused as malformed by `verify`.
        guard parts.count == 3, let data = Base64URL.decode(parts[0]), let header = try? JSONDecoder().decode(Header.self, from: data)
        else { return nil }
        return header.kid
    }

    /// Checks the signature against `keys` (by key id) and the expiry against `now` (seconds
    /// since 1970). Revocation is the caller's to check, against its revocation list.
    public static func verify(_ token: String, keys: [String: Curve25519.Signing.PublicKey], now: Int64) throws(TokenRejection)
        -> TokenClaims
    {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]), let payloadData = Base64URL.decode(parts[1]),
            // An unreadable header is simply not a token of ours: the caller answers 401 with `.malformed`.
            let signature = Base64URL.decode(parts[2]), let header = try? JSONDecoder().decode(Header.self, from: headerData)
        else { throw .malformed }
        // Only EdDSA is accepted: the header cannot talk a verifier into another algorithm.
        guard header.alg == "EdDSA" else { throw .malformed }
        guard let key = keys[header.kid] else { throw .unknownKey(header.kid) }
        guard key.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)) else { throw .badSignature }
        // Signed but unreadable claims (another issuer's, or a format this build does not know)
        // are refused like any foreign token; the decoder's detail is not the caller's business.
        guard let claims = try? JSONDecoder().decode(TokenClaims.self, from: payloadData), claims.issuer == issuer else {
            throw .malformed
        }
        guard now < claims.expiresAt else { throw .expired }
        return claims
    }
}
