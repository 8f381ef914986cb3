import Foundation
import Testing

/// Change sets: after a region-month's first publication the calculator publishes only the
/// tenant cells that changed, and the reporter derives every measured tenant cell from its
/// product's row. Checked end to end against hand-computed figures from ``Fixture``, with the
/// calculator's counters showing how many tenant cells each step carried, and `as_of` answers
/// showing that the versions in between stay exact.
@Suite(.serialized) struct ChangeSetTests {
    static func usage(_ id: String, tenant: String, value: Double, tags: String? = nil) -> String {
        let tagField = tags.map { #","tags":\#($0)"# } ?? ""
        return #"{"source":"bill","id":"\#(id)","kind":"usage","tenant":"\#(tenant)","product":"ecs","region":"r1","start":"2024-01-03T00:00:00Z","end":"2024-01-04T00:00:00Z","value":\#(value),"unit":"vCPU-h"\#(tagField)}"#
    }

    /// A revised January grid factor for G1: 0.6 instead of 0.5 kg/kWh.
    static let revisedFactor = """
        {"factor":"grid.G1.jan","activity":"electricity","region":"G1","value":0.6,"unit":"kgCO2e/kWh","valid_from":"2024-01-01","valid_to":"2024-02-01","source":"test revised","version":"2"}
        """

    /// Sum of a counter over its label sets, from the calculator's Prometheus text.
    func counter(_ suite: SuiteProcess, _ name: String) async throws -> Double {
        let text = String(decoding: try await suite.get(.calculator, "/metrics").1, as: UTF8.self)
        return text.split(separator: "\n").filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    func instant() async throws -> String {
        try await Task.sleep(for: .milliseconds(50))
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let now = formatter.string(from: Date())
        try await Task.sleep(for: .milliseconds(50))
        return now
    }

    func expectTenants(
        _ rows: [[String: Any]], _ expected: [String: Double], location: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(Set(rows.compactMap { $0["tenant"] as? String }) == Set(expected.keys), "\(what): tenants", sourceLocation: sourceLocation)
        for (tenant, share) in expected {
            expectClose(row(rows, ["tenant": tenant])?["scope2_location"], share * location, "\(what): \(tenant)", sourceLocation: sourceLocation)
        }
    }

    @Test func onlyChangedTenantCellsArePublishedAndEveryVersionStaysExact() async throws {
        try await changeSets(SuiteProcess())
    }

    /// The same with every tenant cell in a message of its own (``PublicationPages``): the
    /// reporter stages the pages and applies each version whole.
    @Test func pagedPublicationsGiveTheSameAnswers() async throws {
        try await changeSets(SuiteProcess(extraArguments: [.calculator: ["--page-cells", "1"]]))
    }

    func changeSets(_ suite: SuiteProcess) async throws {
        try await suite.start()
        try await suite.declareFixture()
        let first = [
            Self.usage("a1", tenant: "a", value: 10), Self.usage("b1", tenant: "b", value: 30),
            Self.usage("c1", tenant: "c", value: 60, tags: #"{"project":"x"}"#),
        ].joined(separator: "\n")
        try await suite.postExpectingAccepted("/v1/activity", first, "application/x-ndjson", accepted: 3)
        try await suite.waitDrained()
        let ecs = Fixture.ecsJan.location
        let january = "layer=tenant&product=ecs&from=2024-01&to=2024-01"
        expectTenants(try await suite.emissions(january), ["a": 0.1, "b": 0.3, "c": 0.6], location: ecs, "first version")
        let tags = try await suite.json(.reporter, "/v1/tags?tenant=c&key=project&from=2024-01&to=2024-01")
        let x = (tags["values"] as? [[String: Any]])?.first { $0["value"] as? String == "x" }
        expectClose((x?["figures"] as? [String: Any])?["scope2_location"], 0.6 * ecs, "c's project x")

        // One tenant more usage, one tenant's usage revised to nothing: the change set carries
        // a's cell and removes c's; b's cell is not sent, yet its share follows the new total.
        let publishedBefore = try await counter(suite, "carbonmeter_tenant_cells_published_total")
        let calculatedBefore = try await counter(suite, "carbonmeter_tenant_cells_calculated_total")
        let removedBefore = try await counter(suite, "carbonmeter_tenant_cells_removed_total")
        let beforeChange = try await instant()
        let second = [Self.usage("a2", tenant: "a", value: 10), Self.usage("c1", tenant: "c", value: 0, tags: #"{"project":"x"}"#)]
            .joined(separator: "\n")
        let verdict = try await suite.postExpectingAccepted("/v1/activity", second, "application/x-ndjson", accepted: 1)
        #expect(verdict["revisions"] as? Int == 1)
        try await suite.waitDrained()
        #expect(try await counter(suite, "carbonmeter_tenant_cells_published_total") - publishedBefore == 1, "only a's cell is published")
        #expect(try await counter(suite, "carbonmeter_tenant_cells_removed_total") - removedBefore == 1, "c's cell is removed")
        // The round read a's cell and c's (now empty), not b's.
        #expect(try await counter(suite, "carbonmeter_tenant_cells_calculated_total") - calculatedBefore == 1, "only a's cell calculated")
        let afterChange = try await suite.emissions(january)
        expectTenants(afterChange, ["a": 0.4, "b": 0.6], location: ecs, "after the change set")
        let sum = afterChange.compactMap { ($0["scope2_location"] as? NSNumber)?.doubleValue }.reduce(0, +)
        let product = try await suite.emissions("layer=product&product=ecs&from=2024-01&to=2024-01")
        expectClose(sum, (row(product, ["product": "ecs"])?["scope2_location"] as? NSNumber)?.doubleValue ?? .nan, "Σ tenants = E(ecs)")
        let cTags = try await suite.json(.reporter, "/v1/tags?tenant=c&key=project&from=2024-01&to=2024-01")
        #expect((cTags["values"] as? [[String: Any]] ?? []).isEmpty, "c's tag parts went with its cell: \(cTags)")

        // A factor revision changes E(ecs) and no tenant's usage: no tenant cell is published,
        // every tenant's figures follow.
        let publishedBeforeRevision = try await counter(suite, "carbonmeter_tenant_cells_published_total")
        let calculatedBeforeRevision = try await counter(suite, "carbonmeter_tenant_cells_calculated_total")
        let beforeRevision = try await instant()
        try await suite.postExpectingAccepted("/v1/factors", Self.revisedFactor, "application/x-ndjson", accepted: 0)
        try await suite.waitDrained()
        #expect(try await counter(suite, "carbonmeter_tenant_cells_published_total") == publishedBeforeRevision, "no tenant cell published")
        #expect(try await counter(suite, "carbonmeter_tenant_cells_calculated_total") == calculatedBeforeRevision, "no tenant cell calculated")
        let revisedEcs = 0.75 * 1120 * 0.6 + 500 * 0.6
        expectTenants(try await suite.emissions(january), ["a": 0.4, "b": 0.6], location: revisedEcs, "after the factor revision")

        // Every version as it stood.
        expectTenants(
            try await suite.emissions(january + "&as_of=\(beforeChange)"), ["a": 0.1, "b": 0.3, "c": 0.6], location: ecs, "as of the first version")
        expectTenants(
            try await suite.emissions(january + "&as_of=\(beforeRevision)"), ["a": 0.4, "b": 0.6], location: ecs, "as of the change set")
        expectTenants(
            try await suite.emissions(january + "&as_of=\(try await instant())"), ["a": 0.4, "b": 0.6], location: revisedEcs, "as of now")
        await suite.stopAll()
    }

    /// Usage with resource details is estimated while its product has no facility data in the
    /// region-month, and allocated like any other usage once it has: the round that sees the
    /// product's first IT energy recalculates every cell, not only those records touched.
    @Test func usageWithResourceDetailsChangesModeWhenItsProductGetsFacilityData() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()
        try await suite.postExpectingAccepted("/v1/products", #"[{"product":"vm2","unit":"vCPU-h","basis":"usage"}]"#, "application/json", accepted: 1)
        let usage = """
            {"source":"bill","id":"e-vm2","kind":"usage","tenant":"E","product":"vm2","region":"r1","provider":"aws","resource_type":"compute","start":"2024-01-03T00:00:00Z","end":"2024-01-04T00:00:00Z","value":30,"unit":"vCPU-h"}
            {"source":"bill","id":"p-vm2","kind":"usage","tenant":"P","product":"vm2","region":"r1","start":"2024-01-03T00:00:00Z","end":"2024-01-04T00:00:00Z","value":10,"unit":"vCPU-h"}
            """
        try await suite.postExpectingAccepted("/v1/activity", usage, "application/x-ndjson", accepted: 2)
        try await suite.waitDrained()
        let january = "layer=tenant&product=vm2&from=2024-01&to=2024-01"
        let before = try await suite.emissions(january)
        #expect(row(before, ["tenant": "E"])?["mode"] as? String == "estimated", "\(before)")

        let it = #"{"source":"meter","id":"s1-vm2-it","kind":"product.it_electricity","site":"s1","product":"vm2","start":"2024-01-01T00:00:00Z","end":"2024-02-01T00:00:00Z","value":200,"unit":"kWh"}"#
        try await suite.postExpectingAccepted("/v1/activity", it, "application/x-ndjson", accepted: 1)
        try await suite.waitDrained()
        let after = try await suite.emissions(january)
        let e = try #require(row(after, ["tenant": "E"]), "\(after)")
        #expect(e["mode"] as? String == "measured")
        expectClose(e["usage"], 30, "E's usage, now measured")
        #expect(!after.contains { $0["mode"] as? String == "estimated" })
        let product = try await suite.emissions("layer=product&product=vm2&from=2024-01&to=2024-01")
        let vm2 = (row(product, ["product": "vm2"])?["scope2_location"] as? NSNumber)?.doubleValue ?? .nan
        #expect(vm2 > 0)
        expectClose(e["scope2_location"], 0.75 * vm2, "E's share of vm2: 30 of 40 vCPU-h")
        expectClose(row(after, ["tenant": "P"])?["scope2_location"], 0.25 * vm2, "P's share of vm2: 10 of 40")
        let sum = after.compactMap { ($0["scope2_location"] as? NSNumber)?.doubleValue }.reduce(0, +)
        expectClose(sum, vm2, "Σ tenants = E(vm2)")
        await suite.stopAll()
    }
}
