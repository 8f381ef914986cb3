/// The outcome of an access check: allowed, or denied with a message safe to show the caller.
public enum AccessDecision: Sendable, Hashable {
    case allowed
    case denied(String)
}

/// What each role may do, as pure functions over plain values. A tenant-bound principal sees and
/// writes only its own tenant's data; the provider views are for provider principals alone.
/// Denials never depend on whether another tenant exists, so they cannot reveal it.
public enum AccessPolicy {
    /// Reading emissions. `providerView` is true for the site, product and product_site layers;
    /// `tenantFilter` is the tenant the query asks for, if any.
    public static func readEmissions(_ principal: Principal, providerView: Bool, tenantFilter: String?) -> AccessDecision {
        guard principal.role.mayRead else { return .denied("the role \(principal.role.rawValue) may not read emissions") }
        guard let own = principal.tenant else { return .allowed }
        if providerView { return .denied("the site, product and product_site layers are for the provider's roles only") }
        if let tenantFilter, tenantFilter != own { return .denied(crossTenant) }
        return .allowed
    }

    /// The one refusal every cross-tenant attempt gets, whichever tenant was named and whether
    /// or not it exists: the answer must not tell a tenant which other tenants there are.
    public static let crossTenant = "a tenant's credentials reach only that tenant's data; leave out tenant= or name your own"

    /// Reading one tenant's figures (reports, analysis, targets, budgets, alerts). `tenant` is
    /// the tenant the request names, nil when it names none; a tenant-bound principal is then
    /// limited to its own (see ``tenantScope(_:requested:)``).
    public static func readTenantData(_ principal: Principal, tenant: String?, what: String) -> AccessDecision {
        guard principal.role.mayRead else { return .denied("the role \(principal.role.rawValue) may not read \(what)") }
        guard let own = principal.tenant else { return .allowed }
        if let tenant, tenant != own { return .denied(crossTenant) }
        return .allowed
    }

    /// The tenant an allowed read is limited to: a tenant-bound principal's own tenant, forced
    /// whatever was asked; for provider principals the tenant asked for (nil = every tenant).
    public static func tenantScope(_ principal: Principal?, requested: String?) -> String? {
        principal?.tenant ?? requested
    }

    /// The provider's views: sites, products, PUE, unallocated emissions, the provider's
    /// inventory, its factors, site-cell lineage, restatement versions, configured sources.
    /// Only principals without a tenant whose role may read.
    public static func readProviderView(_ principal: Principal, what: String) -> AccessDecision {
        guard principal.role.mayRead else { return .denied("the role \(principal.role.rawValue) may not read \(what)") }
        guard principal.isProvider else { return .denied("\(what) is a provider view, for the provider's roles only") }
        return .allowed
    }

    /// Setting a tenant's targets or budgets: its own tenant admin, or the provider admin. A
    /// tenant admin naming another tenant gets ``crossTenant``, whether or not that tenant exists.
    public static func manageTenant(_ principal: Principal, tenant: String, what: String) -> AccessDecision {
        switch (principal.role, principal.tenant) {
        case (.providerAdmin, nil): return .allowed
        case (.tenantAdmin, let own?): return own == tenant ? .allowed : .denied(crossTenant)
        default: return .denied("only a tenant_admin (for its own tenant) or the provider_admin may set \(what)")
        }
    }

    /// Operating a service's store (online backups): the provider admin alone.
    public static func administerService(_ principal: Principal, what: String) -> AccessDecision {
        principal.role == .providerAdmin && principal.isProvider
            ? .allowed : .denied("only the provider_admin may \(what)")
    }

    /// Whether the pipeline has drained: any authenticated principal (collectors wait on it);
    /// it holds counts, not figures.
    public static func readPipelineStatus(_ principal: Principal) -> AccessDecision { .allowed }

    /// Reading what happened to ingested batches (verdicts, quarantined records): every role,
    /// since collectors need their verdicts; a tenant-bound principal only for batches its own
    /// tenant sent (`batchTenant`; nil = sent by the provider). A refusal is answered exactly
    /// like a batch that does not exist, so it does not reveal other tenants' batch ids.
    public static func readBatch(_ principal: Principal, batchTenant: String?) -> AccessDecision {
        guard let own = principal.tenant else { return .allowed }
        return batchTenant == own ? .allowed : .denied(crossTenant)
    }

    /// Handing the collector a cloud billing export for one of its billing sources: principals
    /// without a tenant whose role may write. A bill covers many tenants (its mapping decides
    /// whose each line is), so a tenant's credentials may not send one.
    public static func uploadBillingExport(_ principal: Principal) -> AccessDecision {
        guard principal.role.mayWrite else { return .denied("the role \(principal.role.rawValue) may not write data") }
        guard principal.isProvider else { return .denied("billing exports are the provider's; a tenant's credentials may not send them") }
        return .allowed
    }

    /// What a record says about whose it is: its `tenant` and `kind` fields (nil when absent).
    public struct RecordOwnership: Sendable, Hashable {
        public var tenant: String?
        public var kind: String?
        public init(tenant: String?, kind: String?) {
            self.tenant = tenant
            self.kind = kind
        }
    }

    /// Writing a batch of `entity` (`activity`, `sites`, `products`, `factors`). `records` is
    /// only looked at for tenant-bound principals, who may write nothing but `usage` records
    /// naming their own tenant: meters, fuel, hardware and declarations are the provider's.
    public static func write(_ principal: Principal, entity: String, records: [RecordOwnership]) -> AccessDecision {
        guard principal.role.mayWrite else { return .denied("the role \(principal.role.rawValue) may not write data") }
        guard let own = principal.tenant else { return .allowed }
        guard entity == "activity" else {
            return .denied("\(entity) are provider declarations; a tenant's credentials may write only its own usage records")
        }
        for (index, record) in records.enumerated() where record.tenant != own || record.kind != "usage" {
            return .denied("record \(index + 1) is not a usage record of your tenant; a tenant's credentials may write only those")
        }
        return .allowed
    }
}
