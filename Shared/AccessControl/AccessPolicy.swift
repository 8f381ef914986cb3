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
        if let tenantFilter, tenantFilter != own {
            return .denied("a tenant's credentials can only query that tenant; leave out tenant= or use your own")
        }
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
