import Foundation
import Testing

/// `(source, id)` is the idempotency key: an exact repeat changes nothing, a revision replaces
/// the earlier version everywhere downstream, and a late record recalculates its month.
@Suite(.serialized) struct RevisionTests {
    static func usage(_ id: String, tenant: String, value: Double, day: Int = 2) -> String {
        let d = day < 10 ? "0\(day)" : "\(day)"
        return #"{"source":"bill","id":"\#(id)","kind":"usage","tenant":"\#(tenant)","product":"ecs","region":"r1","start":"2024-01-\#(d)T00:00:00Z","end":"2024-01-\#(d)T02:00:00Z","value":\#(value),"unit":"vCPU-h"}"#
    }

    @Test func repeatsAreNoOpsAndRevisionsReplace() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()
        let first = [Self.usage("u1", tenant: "A", value: 6), Self.usage("u2", tenant: "B", value: 2)].joined(separator: "\n")
        try await suite.postExpectingAccepted("/v1/activity", first, "application/x-ndjson", accepted: 2)
        try await suite.waitDrained()
        var tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        expectClose(row(tenants, ["tenant": "A"])?["usage"], 6, "A usage before")

        // The same batch again: two repeats, nothing changes.
        let again = try await suite.postExpectingAccepted("/v1/activity", first, "application/x-ndjson", accepted: 0)
        #expect(again["repeats"] as? Int == 2)
        // The same fact in another unit is a repeat too (6 vCPU-h = 21600 vCPU-s).
        let sameInSeconds = Self.usage("u1", tenant: "A", value: 21600).replacingOccurrences(of: "vCPU-h", with: "vCPU-s")
        let sameVerdict = try await suite.postExpectingAccepted("/v1/activity", sameInSeconds, "application/x-ndjson", accepted: 0)
        #expect(sameVerdict["repeats"] as? Int == 1)

        // A revision of u1: A now used 2 vCPU-h; the 6 must be gone, not added to.
        let revised = try await suite.postExpectingAccepted(
            "/v1/activity", Self.usage("u1", tenant: "A", value: 2), "application/x-ndjson", accepted: 0)
        #expect(revised["revisions"] as? Int == 1)
        try await suite.waitDrained()
        tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        expectClose(row(tenants, ["tenant": "A"])?["usage"], 2, "A usage after revision")
        expectClose(row(tenants, ["tenant": "A"])?["scope2_location"], 0.5 * Fixture.ecsJan.location, "A location after revision")
        expectClose(row(tenants, ["tenant": "B"])?["scope2_location"], 0.5 * Fixture.ecsJan.location, "B location after revision")

        // A revision that moves the record to another day and tenant moves it entirely.
        try await suite.postExpectingAccepted(
            "/v1/activity", Self.usage("u2", tenant: "C", value: 2, day: 20), "application/x-ndjson", accepted: 0)
        // A late record for January, after January was calculated, recalculates it.
        try await suite.postExpectingAccepted("/v1/activity", Self.usage("late", tenant: "A", value: 4, day: 30), "application/x-ndjson", accepted: 1)
        try await suite.waitDrained()
        tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        #expect(row(tenants, ["tenant": "B"]) == nil, "B's only record was revised to C: \(tenants)")
        expectClose(row(tenants, ["tenant": "C"])?["usage"], 2, "C usage")
        expectClose(row(tenants, ["tenant": "A"])?["usage"], 6, "A usage with the late record")
        expectClose(row(tenants, ["tenant": "A"])?["scope2_location"], 0.75 * Fixture.ecsJan.location, "A location with late record")
        await suite.stopAll()
    }
}
