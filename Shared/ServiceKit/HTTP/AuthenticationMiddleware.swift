import Hummingbird

/// The one place a request's credentials are checked: before the route runs (and before its
/// body is read), the `Authorization` header is verified by the service's ``RouteGuard``; 401
/// without a valid credential, 503 when auth cannot be reached, otherwise the route runs with
/// the ``Caller`` in its context and decides what that caller may do.
///
/// Applied to a router group, so public routes (health, metrics, sign-in) stay outside it.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    private let guardian: RouteGuard

    public init(_ guardian: RouteGuard) {
        self.guardian = guardian
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // The matched route (`/v1/batches/{id}`), not the path asked, so audit rows group by route
        // and never echo an attacker's path.
        let action = "\(request.method) \(context.endpointPath ?? request.uri.path)"
        let principal = try await guardian.identify(authorization: request.headers[.authorization], action: action)
        var context = context
        context.caller = Caller(principal: principal, action: action, guardian: guardian)
        return try await next(request, context)
    }
}
