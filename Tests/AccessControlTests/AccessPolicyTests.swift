import AccessControl
import Testing

@Suite struct AccessPolicyTests {
    let provider = Principal(subject: "root", tenant: nil, role: .providerAdmin)
    func tenant(_ role: Role, _ tenant: String = "A") -> Principal { Principal(subject: "u", tenant: tenant, role: role) }
    let usageA = AccessPolicy.RecordOwnership(tenant: "A", kind: "usage")
    let usageB = AccessPolicy.RecordOwnership(tenant: "B", kind: "usage")
    let meterA = AccessPolicy.RecordOwnership(tenant: "A", kind: "facility.electricity")

    @Test func readingFollowsRoleTenantAndLayer() {
        #expect(AccessPolicy.readEmissions(provider, providerView: true, tenantFilter: "B") == .allowed)
        for role in [Role.tenantAdmin, .analyst, .auditor] {
            #expect(AccessPolicy.readEmissions(tenant(role), providerView: false, tenantFilter: nil) == .allowed)
            #expect(AccessPolicy.readEmissions(tenant(role), providerView: false, tenantFilter: "A") == .allowed)
            #expect(AccessPolicy.readEmissions(tenant(role), providerView: false, tenantFilter: "B") != .allowed)
            #expect(AccessPolicy.readEmissions(tenant(role), providerView: true, tenantFilter: nil) != .allowed)
        }
        #expect(AccessPolicy.readEmissions(tenant(.collector), providerView: false, tenantFilter: nil) != .allowed)
        // The refusal for another tenant does not depend on whether that tenant exists.
        #expect(
            AccessPolicy.readEmissions(tenant(.analyst), providerView: false, tenantFilter: "B")
                == AccessPolicy.readEmissions(tenant(.analyst), providerView: false, tenantFilter: "no-such-tenant"))
    }

    @Test func writingFollowsRoleTenantAndRecordKind() {
        #expect(AccessPolicy.write(provider, entity: "sites", records: []) == .allowed)
        #expect(AccessPolicy.write(provider, entity: "activity", records: [usageB, meterA]) == .allowed)
        for role in [Role.tenantAdmin, .collector] {
            #expect(AccessPolicy.write(tenant(role), entity: "activity", records: [usageA, usageA]) == .allowed)
            #expect(AccessPolicy.write(tenant(role), entity: "activity", records: [usageA, usageB]) != .allowed)
            #expect(AccessPolicy.write(tenant(role), entity: "activity", records: [meterA]) != .allowed)
            #expect(AccessPolicy.write(tenant(role), entity: "sites", records: []) != .allowed)
        }
        for role in [Role.analyst, .auditor] {
            #expect(AccessPolicy.write(tenant(role), entity: "activity", records: [usageA]) != .allowed)
            #expect(AccessPolicy.write(Principal(subject: "p", tenant: nil, role: role), entity: "activity", records: []) != .allowed)
        }
    }

    let providerAnalyst = Principal(subject: "pa", tenant: nil, role: .analyst)
    let providerCollector = Principal(subject: "key:p", tenant: nil, role: .collector)

    @Test func tenantDataIsReadByReadersOfThatTenantOnly() {
        #expect(AccessPolicy.readTenantData(provider, tenant: "B", what: "reports") == .allowed)
        #expect(AccessPolicy.readTenantData(providerAnalyst, tenant: nil, what: "reports") == .allowed)
        for role in [Role.tenantAdmin, .analyst, .auditor] {
            #expect(AccessPolicy.readTenantData(tenant(role), tenant: nil, what: "reports") == .allowed)
            #expect(AccessPolicy.readTenantData(tenant(role), tenant: "A", what: "reports") == .allowed)
            #expect(AccessPolicy.readTenantData(tenant(role), tenant: "B", what: "reports") == .denied(AccessPolicy.crossTenant))
            // Same refusal, byte for byte, for a tenant that does not exist.
            #expect(AccessPolicy.readTenantData(tenant(role), tenant: "no-such", what: "reports") == .denied(AccessPolicy.crossTenant))
        }
        #expect(AccessPolicy.readTenantData(tenant(.collector), tenant: "A", what: "reports") != .allowed)
        #expect(AccessPolicy.readTenantData(providerCollector, tenant: nil, what: "reports") != .allowed)
    }

    @Test func aTenantsReadIsLimitedToItsOwnTenant() {
        #expect(AccessPolicy.tenantScope(tenant(.analyst), requested: nil) == "A")
        #expect(AccessPolicy.tenantScope(tenant(.analyst), requested: "A") == "A")
        #expect(AccessPolicy.tenantScope(provider, requested: nil) == nil)
        #expect(AccessPolicy.tenantScope(provider, requested: "B") == "B")
        #expect(AccessPolicy.tenantScope(nil, requested: "B") == "B")  // authentication off
    }

    @Test func providerViewsAreForProviderReadersOnly() {
        #expect(AccessPolicy.readProviderView(provider, what: "lineage") == .allowed)
        #expect(AccessPolicy.readProviderView(providerAnalyst, what: "lineage") == .allowed)
        #expect(AccessPolicy.readProviderView(Principal(subject: "pau", tenant: nil, role: .auditor), what: "lineage") == .allowed)
        #expect(AccessPolicy.readProviderView(providerCollector, what: "lineage") != .allowed)
        for role in Role.allCases { #expect(AccessPolicy.readProviderView(tenant(role), what: "lineage") != .allowed) }
    }

    @Test func targetsAndBudgetsAreSetByTheTenantsAdminOrTheProviderAdmin() {
        #expect(AccessPolicy.manageTenant(provider, tenant: "B", what: "budgets") == .allowed)
        #expect(AccessPolicy.manageTenant(tenant(.tenantAdmin), tenant: "A", what: "budgets") == .allowed)
        #expect(AccessPolicy.manageTenant(tenant(.tenantAdmin), tenant: "B", what: "budgets") == .denied(AccessPolicy.crossTenant))
        #expect(AccessPolicy.manageTenant(tenant(.tenantAdmin), tenant: "no-such", what: "budgets") == .denied(AccessPolicy.crossTenant))
        for role in [Role.analyst, .auditor, .collector] {
            #expect(AccessPolicy.manageTenant(tenant(role), tenant: "A", what: "budgets") != .allowed)
            #expect(AccessPolicy.manageTenant(Principal(subject: "p", tenant: nil, role: role), tenant: "A", what: "budgets") != .allowed)
        }
        // A provider_admin role bound to a tenant (not issued, but not trusted either) is no provider admin.
        #expect(AccessPolicy.manageTenant(tenant(.providerAdmin), tenant: "B", what: "budgets") != .allowed)
    }

    @Test func backupsAreForTheProviderAdminAlone() {
        #expect(AccessPolicy.administerService(provider, what: "take backups") == .allowed)
        #expect(AccessPolicy.administerService(providerAnalyst, what: "take backups") != .allowed)
        for role in Role.allCases { #expect(AccessPolicy.administerService(tenant(role), what: "take backups") != .allowed) }
    }

    @Test func batchesAreSeenByTheTenantThatSentThem() {
        #expect(AccessPolicy.readBatch(provider, batchTenant: "A") == .allowed)
        #expect(AccessPolicy.readBatch(provider, batchTenant: nil) == .allowed)
        for role in Role.allCases {
            #expect(AccessPolicy.readBatch(tenant(role), batchTenant: "A") == .allowed)
            #expect(AccessPolicy.readBatch(tenant(role), batchTenant: "B") != .allowed)
            #expect(AccessPolicy.readBatch(tenant(role), batchTenant: nil) != .allowed)
        }
    }
}
