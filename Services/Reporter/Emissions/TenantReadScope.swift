import AccessControl
import Hummingbird
import ServiceKit

extension ServiceRequestContext {
    /// Checks a read of one tenant's figures (`asked`, nil when the request names none; `what`
    /// for the refusal) and answers the tenant the read is limited to: a tenant's credentials
    /// are forced to their own tenant whatever was asked; the provider's get what they asked.
    func tenantReadScope(asked: String?, what: String) async throws(APIError) -> String? {
        try await authorize { AccessPolicy.readTenantData($0, tenant: asked, what: what) }
        return AccessPolicy.tenantScope(principal, requested: asked)
    }

    /// Checks a read that is a provider view (`providerView` for the refusal) when a provider
    /// names no tenant, and a tenant read (`what`) otherwise (reports, analysis); answers the
    /// tenant the read is limited to.
    func providerOrTenantReadScope(asked: String?, providerView: String, what: String) async throws(APIError) -> String? {
        try await authorize { principal in
            asked == nil && principal.isProvider
                ? AccessPolicy.readProviderView(principal, what: providerView)
                : AccessPolicy.readTenantData(principal, tenant: asked, what: what)
        }
        return AccessPolicy.tenantScope(principal, requested: asked)
    }
}

