import AccessControl
import Foundation
import HTTPTypes
import Hummingbird
import Messaging

/// The role check in front of an HTTP route: establishes who is calling, asks an
/// ``AccessPolicy`` decision, and turns a refusal into the answer (401 without a valid
/// credential, 403 when the role or tenant may not, 503 when auth cannot be reached). Refusals
/// are reported for auth's audit log. With no authenticator (the suite started without
/// `--require-auth`), every request passes with no principal.
public struct RouteGuard: Sendable {
    /// The outcome of ``admit(_:action:decide:)``.
    public enum Admission: Sendable {
        /// Go on; the principal is nil only when authentication is off.
        case admitted(Principal?)
        case refused(Response)
    }

    private let authenticate: (@Sendable (String?) async -> AuthenticationOutcome)?
    private let reportDenial: @Sendable (Principal?, String, String) async -> Void

    /// A guard that checks nothing (authentication off).
    public static let open = RouteGuard(authenticate: nil, reportDenial: { _, _, _ in })

    /// A guard for the services other than auth: tokens verified locally, keys asked of auth.
    public init(authenticator: Authenticator?) {
        if let authenticator {
            self.init(
                authenticate: { await authenticator.authenticate(authorization: $0) },
                reportDenial: { await authenticator.recordDenial($0, action: $1, reason: $2) })
        } else {
            self.init(authenticate: nil, reportDenial: { _, _, _ in })
        }
    }

    /// A guard with its own way to authenticate an `Authorization` header and to record a
    /// refusal (auth itself, which verifies against its own store and audits directly).
    public init(
        authenticate: (@Sendable (String?) async -> AuthenticationOutcome)?,
        reportDenial: @escaping @Sendable (Principal?, String, String) async -> Void
    ) {
        self.authenticate = authenticate
        self.reportDenial = reportDenial
    }

    /// True when requests must carry credentials.
    public var isEnforcing: Bool { authenticate != nil }

    /// Authenticates the request and applies `decide`; `action` names the route in audit rows.
    public func admit(_ request: Request, action: String, decide: (Principal) -> AccessDecision) async -> Admission {
        switch await identify(request, action: action) {
        case .refused(let response): return .refused(response)
        case .admitted(let principal):
            guard let principal else { return .admitted(nil) }
            if let refusal = await check(principal, action: action, decision: decide(principal)) { return .refused(refusal) }
            return .admitted(principal)
        }
    }

    /// Only establishes who is calling (401/503 refusals); the caller decides afterwards with
    /// ``check(_:action:decision:status:)``, e.g. once it has read what the request is about.
    public func identify(_ request: Request, action: String) async -> Admission {
        guard let authenticate else { return .admitted(nil) }
        switch await authenticate(request.headers[.authorization]) {
        case .authenticated(let principal): return .admitted(principal)
        case .unauthenticated(let message):
            await reportDenial(nil, action, message)
            return .refused(HTTPSupport.error(.unauthorized, message))
        case .unavailable(let message): return .refused(HTTPSupport.error(.serviceUnavailable, message))
        }
    }

    /// Nil when `decision` allows; otherwise reports the denial and answers `status` with
    /// `body` (default: 403 with the decision's message).
    public func check(
        _ principal: Principal?, action: String, decision: AccessDecision, status: HTTPResponse.Status = .forbidden,
        body: String? = nil
    ) async -> Response? {
        guard let principal else { return nil }
        switch decision {
        case .allowed: return nil
        case .denied(let message):
            await reportDenial(principal, action, message)
            return HTTPSupport.error(status, body ?? message)
        }
    }
}
