import AccessControl
import HTTPTypes

/// How a service establishes who is calling its HTTP routes, and reports a refusal: tokens and
/// API keys verified by an ``Authenticator`` (auth's keys, fetched over ZeroMQ), auth's own
/// check against its store, or nothing at all when the suite runs without `--require-auth`.
/// The ``AuthenticationMiddleware`` uses it to identify the caller; ``Caller/authorize(status:body:_:)``
/// to apply a policy decision.
public struct RouteGuard: Sendable {
    /// Establishes the principal behind an `Authorization` header, or throws 401/503.
    public typealias Identify = @Sendable (_ authorization: String?, _ action: String) async throws(APIError) -> Principal?
    /// Reports a refusal for the audit log: who (nil when unknown), the route, why.
    public typealias ReportDenial = @Sendable (_ principal: Principal?, _ action: String, _ reason: String) async -> Void

    private let identifyCaller: Identify?
    private let reportDenial: ReportDenial

    /// A guard that checks nothing (authentication off): every caller is admitted with no principal.
    public static let open = RouteGuard(identify: nil, reportDenial: { _, _, _ in })

    /// The guard of the services other than auth: tokens verified locally, keys asked of auth.
    /// With no authenticator, ``open``.
    public init(authenticator: Authenticator?) {
        guard let authenticator else {
            self = .open
            return
        }
        self.init(
            authenticate: { await authenticator.authenticate(authorization: $0) },
            reportDenial: { await authenticator.recordDenial($0, action: $1, reason: $2) })
    }

    /// A guard with its own way to authenticate an `Authorization` header and to record a
    /// refusal (auth itself, which verifies against its own store and audits directly).
    public init(
        authenticate: @escaping @Sendable (String?) async -> AuthenticationOutcome,
        reportDenial: @escaping ReportDenial
    ) {
        self.init(
            identify: { authorization, action throws(APIError) in
                try await authenticate(authorization).admit(action: action, reportDenial: reportDenial)
            },
            reportDenial: reportDenial)
    }

    /// A guard with an identification of its own (the collector's API-key check, which admits
    /// a valid key without a principal).
    public init(identify: Identify?, reportDenial: @escaping ReportDenial) {
        self.identifyCaller = identify
        self.reportDenial = reportDenial
    }

    /// True when requests must carry credentials.
    public var isEnforcing: Bool { identifyCaller != nil }

    /// Who sends `authorization`: nil with authentication off; throws 401 (reported) without a
    /// valid credential and 503 when auth cannot be reached.
    public func identify(authorization: String?, action: String) async throws(APIError) -> Principal? {
        guard let identifyCaller else { return nil }
        return try await identifyCaller(authorization, action)
    }

    /// Returns when `decision` allows; otherwise reports the denial and throws `status` with
    /// `body` (default: 403 with the decision's message).
    public func require(
        _ principal: Principal, action: String, decision: AccessDecision, status: HTTPResponse.Status = .forbidden, body: String? = nil
    ) async throws(APIError) {
        switch decision {
        case .allowed: return
        case .denied(let message):
            await reportDenial(principal, action, message)
            throw APIError(status, body ?? message)
        }
    }
}
