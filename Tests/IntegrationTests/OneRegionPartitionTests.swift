import Foundation
import Testing

/// One region over two calculators (``CalculatorPartition``): the preprocessors send each
/// product's usage to one calculator and facility data to both; each calculator publishes the
/// cells of its products (and one of them the sites), and the reporter puts the two halves of
/// every region-month together. Every answer must be the single calculator's, to the last
/// bit, before and after a revision that moves usage from one calculator's product to the
/// other's and a factor revision; and both calculators must have calculated tenant cells.
@Suite(.serialized) struct OneRegionPartitionTests {
    /// Products beside the fixture's ecs and oss (both in partition 0 of 2 in r1): gpu and s3
    /// (partition 1, with IT energy), and fn (partition 1, no facility data: estimated).
    static let products = """
        [{"product":"gpu","unit":"vCPU-h","basis":"usage"},{"product":"s3","unit":"GB-h","basis":"usage"},{"product":"fn","unit":"vCPU-h","basis":"usage"}]
        """
    static let facility = """
        {"source":"meter","id":"s1-gpu-it","kind":"product.it_electricity","site":"s1","product":"gpu","start":"2024-01-01T00:00:00Z","end":"2024-02-01T00:00:00Z","value":300,"unit":"kWh"}
        {"source":"meter","id":"s2-gpu-it","kind":"product.it_electricity","site":"s2","product":"gpu","start":"2024-01-01T00:00:00Z","end":"2024-02-01T00:00:00Z","value":150,"unit":"kWh"}
        {"source":"meter","id":"s2-s3-it","kind":"product.it_electricity","site":"s2","product":"s3","start":"2024-01-01T00:00:00Z","end":"2024-02-01T00:00:00Z","value":50,"unit":"kWh"}
        {"source":"cmdb","id":"s1-gpu-servers","kind":"hardware.embodied","site":"s1","product":"gpu","start":"2024-01-01T00:00:00Z","value":2.4,"unit":"tCO2e","lifetime_months":24}
        """

    /// 40 tenants' usage of every product in January, some tagged, some estimable.
    static var usage: String {
        let units = ["ecs": "vCPU-h", "oss": "GB-h", "gpu": "vCPU-h", "s3": "GB-h"]
        var lines: [String] = []
        for t in 0..<40 {
            for (p, product) in ["ecs", "oss", "gpu", "s3"].enumerated() where (t + p) % 3 != 0 {
                let value = Double((t * 7 + p * 13) % 50 + 1) * 1.5
                let tags = t % 4 == 0 ? #","tags":{"project":"p\#(t % 3)"}"# : ""
                lines.append(
                    #"{"source":"bill","id":"u\#(t)-\#(product)","kind":"usage","tenant":"t\#(t)","product":"\#(product)","region":"r1","start":"2024-01-0\#(1 + t % 9)T00:00:00Z","end":"2024-01-1\#(t % 9)T06:00:00Z","value":\#(value),"unit":"\#(units[product] ?? "")"\#(tags)}"#
                )
            }
        }
        for t in 0..<3 {
            lines.append(
                #"{"source":"bill","id":"fn\#(t)","kind":"usage","tenant":"t\#(t)","product":"fn","region":"r1","provider":"aws","resource_type":"compute","start":"2024-01-03T00:00:00Z","end":"2024-01-04T00:00:00Z","value":\#(10 * (t + 1)),"unit":"vCPU-h"}"#
            )
        }
        return lines.joined(separator: "\n")
    }

    /// Tenant t5's ecs usage moved to gpu: from partition 0's product to partition 1's.
    static let movedUsage = #"{"source":"bill","id":"u5-ecs","kind":"usage","tenant":"t5","product":"gpu","region":"r1","start":"2024-01-06T00:00:00Z","end":"2024-01-15T06:00:00Z","value":12,"unit":"vCPU-h"}"#

    @Test func twoCalculatorsOnOneRegionGiveTheSingleCalculatorsAnswers() async throws {
        let single = try await answers(calculators: 1)
        let split = try await answers(calculators: 2)
        #expect(single.before.count > 100, "the comparison covers too little: \(single.before.count) rows")
        for (what, one, two) in [("before the revisions", single.before, split.before), ("after them", single.after, split.after)] {
            #expect(one.count == two.count, "\(what): \(one.count) rows with one calculator, \(two.count) with two")
            let missing = Set(one).subtracting(two), extra = Set(two).subtracting(one)
            #expect(missing.isEmpty && extra.isEmpty, "\(what): only with one calculator: \(missing.sorted().prefix(5)); only with two: \(extra.sorted().prefix(5))")
        }
        // Both calculators calculated tenant cells of the one region.
        #expect(split.tenantCells.count == 2 && split.tenantCells.allSatisfy { $0 > 0 }, "tenant cells per calculator: \(split.tenantCells)")
    }

    /// Every row of every answer, as canonical JSON, and each calculator's tenant cells calculated.
    func answers(calculators: Int) async throws -> (before: [String], after: [String], tenantCells: [Double]) {
        let suite = try SuiteProcess(calculators: calculators)
        try await suite.start()
        try await suite.declareFixture()
        try await suite.postExpectingAccepted("/v1/products", Self.products, "application/json", accepted: 3)
        try await suite.postExpectingAccepted("/v1/activity", Self.facility, "application/x-ndjson", accepted: 4)
        try await suite.postExpectingAccepted("/v1/activity", Self.usage, "application/x-ndjson", accepted: 109)
        try await suite.waitDrained()
        let before = try await snapshot(suite)

        try await suite.postExpectingAccepted("/v1/activity", Self.movedUsage, "application/x-ndjson", accepted: 0)
        try await suite.postExpectingAccepted("/v1/factors", ChangeSetTests.revisedFactor, "application/x-ndjson", accepted: 0)
        try await suite.waitDrained()
        let after = try await snapshot(suite)

        var tenantCells: [Double] = []
        for k in 0..<calculators {
            let (_, metrics) = k == 0 ? try await suite.get(.calculator, "/metrics") : try await suite.get(replica: "calculator-\(k + 1)", "/metrics")
            tenantCells.append(ScaleOutTests.value(of: "carbonmeter_tenant_cells_calculated_total", in: String(decoding: metrics, as: UTF8.self)))
        }
        await suite.stopAll()
        return (before, after, tenantCells)
    }

    /// Every layer monthly, the tenant and product layers daily, and a tag breakdown.
    func snapshot(_ suite: SuiteProcess) async throws -> [String] {
        var rows: [String] = []
        func add(_ what: String, _ answer: [[String: Any]]) throws {
            for row in answer {
                let data = try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys])
                rows.append(what + " " + String(decoding: data, as: UTF8.self))
            }
        }
        for layer in ["site", "product_site", "product", "tenant"] {
            try add(layer, try await suite.emissions("layer=\(layer)&from=2024-01&to=2024-02"))
        }
        for layer in ["product", "tenant"] {
            try add(layer + " daily", try await suite.emissions("layer=\(layer)&granularity=day&from=2024-01&to=2024-01"))
        }
        let (status, data) = try await suite.get(.reporter, "/v1/tags?tenant=t0&key=project&from=2024-01&to=2024-01")
        #expect(status == 200)
        try add("tags", [try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]])
        return rows.sorted()
    }
}
