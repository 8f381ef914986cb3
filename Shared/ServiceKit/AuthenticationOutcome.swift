import AccessControl
import Contracts

/// The outcome of presenting a credential.
public enum AuthenticationOutcome: Sendable, Hashable {
    case authenticated(Principal)
    /// No credential, or one that is unknown, expired, revoked or forged (answer 401).
    case unauthenticated(String)
    /// Auth could not be reached to learn its keys or its revocations (answer 503): failing
    /// closed, so that a revoked token is never accepted because auth was down.
    case unavailable(String)

    /// The principal, or the refusal as the answer to send: 401 (reported through
    /// `reportDenial` for the audit log) or 503.
    public func admit(action: String, reportDenial: RouteGuard.ReportDenial) async throws(APIError) -> Principal {
        switch self {
        case .authenticated(let principal): return principal
        case .unauthenticated(let message):
            await reportDenial(nil, action, message)
            throw APIError(.unauthorized, message)
        case .unavailable(let message): throw APIError(.serviceUnavailable, message)
        }
    }
}

extension APIKeyIdentity {
    /// What auth's answer about an API key means for the caller: its principal when the key is
    /// valid and names a known role, otherwise 401.
    public var outcome: AuthenticationOutcome {
        guard valid, let keyID, let role = role.flatMap(Role.init(rawValue:)) else {
            return .unauthenticated("the API key is unknown or revoked")
        }
        return .authenticated(Principal(subject: "key:\(keyID)", tenant: tenant, role: role))
    }
}
