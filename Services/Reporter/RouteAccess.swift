import AccessControl
import Foundation
import Hummingbird
import ServiceKit

/// Role checks shared by the reporter's routes that check them themselves (business metrics,
/// forecast): who is calling, and which tenant a read may cover. Without an authenticator
/// (no `--require-auth`) everything is allowed, as for the rest of the reporter.
enum RouteAccess {
    struct Refusal: Error {
        var response: Response
    }

    /// Who is calling, when credentials are required; nil principal when they are not.
    static func caller(_ request: Request, _ authenticator: Authenticator?) async -> Result<Principal?, Refusal> {
        guard let authenticator else { return .success(nil) }
        switch await authenticator.authenticate(authorization: request.headers[.authorization]) {
        case .authenticated(let who): return .success(who)
        case .unauthenticated(let message):
            authenticator.reportDenial(nil, action: "\(request.method) \(request.uri.path)", reason: message)
            return .failure(Refusal(response: HTTPSupport.error(.unauthorized, message)))
        case .unavailable(let message): return .failure(Refusal(response: HTTPSupport.error(.serviceUnavailable, message)))
        }
    }

    /// Checks a read of `tenant`'s figures; answers the tenant to use (a tenant's own, forced).
    static func reader(_ request: Request, _ authenticator: Authenticator?, action: String, tenant: String?) async -> Result<String?, Refusal> {
        let principal: Principal?
        switch await caller(request, authenticator) {
        case .success(let who): principal = who
        case .failure(let refusal): return .failure(refusal)
        }
        guard let authenticator, let principal else { return .success(nil) }
        switch AccessPolicy.readEmissions(principal, providerView: false, tenantFilter: tenant) {
        case .allowed: return .success(principal.tenant)
        case .denied(let message):
            authenticator.reportDenial(principal, action: action, reason: message)
            return .failure(Refusal(response: HTTPSupport.error(.forbidden, message)))
        }
    }
}
