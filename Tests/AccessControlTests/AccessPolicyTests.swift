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
}
