import AccessControl
import Hummingbird

/// The request context of every CarbonMeter HTTP route: Hummingbird's core storage plus the
/// ``Caller`` the ``AuthenticationMiddleware`` established. Routes registered without that
/// middleware (health, metrics, sign-in) have no caller, and asking one to authorize anything
/// is refused, so a route that forgot the middleware fails closed.
public struct ServiceRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who is calling; set by ``AuthenticationMiddleware``.
    public var caller: Caller?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.caller = nil
    }

    public var responseEncoder: JSONResponseEncoder { JSONResponseEncoder() }

    /// The authenticated principal; nil when authentication is off.
    public var principal: Principal? { caller?.principal }

    /// Throws 403 (or `status` with `body`) when `decide` refuses the caller; allows everything
    /// when authentication is off.
    public func authorize(
        status: HTTPResponse.Status = .forbidden, body: String? = nil, _ decide: (Principal) -> AccessDecision
    ) async throws(APIError) {
        try await requireCaller().authorize(status: status, body: body, decide)
    }

    /// The caller, or 500 when the route was registered outside the authentication middleware.
    public func requireCaller() throws(APIError) -> Caller {
        guard let caller else {
            throw APIError(.internalServerError, "this route was registered without the authentication middleware; refusing to guess who is calling")
        }
        return caller
    }
}
