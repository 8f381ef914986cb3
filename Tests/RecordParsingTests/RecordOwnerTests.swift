import CarbonModel
import RecordParsing
import Testing

/// Who may write a record, and which records from before owners were recorded a tenant may take over.
struct RecordOwnerTests {
    func record(_ kind: ActivityKind, tenant: String?) -> NormalizedRecord {
        NormalizedRecord(source: "s", id: "i", kind: kind, start: 0, end: 3600, amount: 1, unit: "kWh", region: "r1", tenant: tenant)
    }

    @Test func theProviderWritesAnythingATenantOnlyItsOwnUsage() {
        #expect(RecordOwner.refusal(of: record(.facilityElectricity, tenant: nil), sentBy: nil) == nil)
        #expect(RecordOwner.refusal(of: record(.usage, tenant: "B"), sentBy: nil) == nil)
        #expect(RecordOwner.refusal(of: record(.usage, tenant: "A"), sentBy: "A") == nil)
        #expect(RecordOwner.refusal(of: record(.usage, tenant: "B"), sentBy: "A")?.field == "tenant")
        #expect(RecordOwner.refusal(of: record(.facilityElectricity, tenant: "A"), sentBy: "A")?.field == "kind")
        #expect(RecordOwner.key(nil) == "" && RecordOwner.key("A") == "A")
    }

    @Test func aTenantTakesOverOnlyUsageNamingIt() {
        #expect(RecordOwner.mayAdopt(record(.usage, tenant: "A"), by: "A"))
        #expect(!RecordOwner.mayAdopt(record(.usage, tenant: "B"), by: "A"))
        #expect(!RecordOwner.mayAdopt(record(.facilityElectricity, tenant: "A"), by: "A"))
        #expect(!RecordOwner.mayAdopt(record(.facilityElectricity, tenant: nil), by: "A"))
    }
}
