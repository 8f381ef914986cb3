import AccessControl
import HTTPTypes

/// Who sent a request, as the ``AuthenticationMiddleware`` established it, and the check that
/// decides what they may do. With authentication off the principal is nil and every decision
/// allows.
public struct Caller: Sendable {
    /// The authenticated principal; nil when authentication is off.
    public let principal: Principal?
    /// The route as audit rows name it, e.g. `GET /v1/factors`.
    public let action: String
    let guardian: RouteGuard

    init(principal: Principal?, action: String, guardian: RouteGuard) {
        self.principal = principal
        self.action = action
        self.guardian = guardian
    }

    /// Throws 403 (or `status` with `body`, e.g. a 404 that must not tell a hidden thing from a
    /// missing one) when `decide` refuses; the refusal is reported for the audit log.
    public func authorize(
        status: HTTPResponse.Status = .forbidden, body: String? = nil, _ decide: (Principal) -> AccessDecision
    ) async throws(APIError) {
        guard let principal else { return }
        try await guardian.require(principal, action: action, decision: decide(principal), status: status, body: body)
    }
}
