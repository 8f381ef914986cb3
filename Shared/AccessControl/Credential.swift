import Foundation

/// A credential a caller presents, read the one way every service reads it: an API key
/// (`cmk_…`, checked against auth's store) or an access token (verified with auth's public
/// keys). It arrives as `Authorization: Bearer <credential>` over HTTP, or bare in a ZeroMQ
/// request header's `api_key`.
public enum Credential: Sendable, Hashable {
    case apiKey(String)
    case token(String)

    /// The prefix that marks an API key (the rest of a credential is a token).
    public static let apiKeyPrefix = "cmk_"

    /// A bare credential; nil when missing or blank.
    public init?(_ text: String?) {
        guard let text else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        self = trimmed.hasPrefix(Self.apiKeyPrefix) ? .apiKey(trimmed) : .token(trimmed)
    }

    /// The credential of an `Authorization` header; nil when the header is missing, is not
    /// `Bearer`, or carries nothing.
    public init?(authorization: String?) {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        self.init(String(authorization.dropFirst("Bearer ".count)))
    }

    /// The credential as presented (without `Bearer `).
    public var text: String {
        switch self {
        case .apiKey(let text), .token(let text): text
        }
    }
}
