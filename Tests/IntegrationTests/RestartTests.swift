import Foundation
import Testing

/// Services killed with SIGKILL while records flow, then started again: the final results
/// equal those of an undisturbed run — nothing lost, nothing counted twice.
@Suite(.serialized) struct RestartTests {
    static let tenants = 10
    static let batches = 120
    static let perBatch = 100

    /// Usage of record `i`: whole vCPU-hours so the undisturbed totals are exact.
    static func usage(batch: Int, index: Int) -> (tenant: Int, line: String, value: Int) {
        let i = batch * perBatch + index
        let tenant = i % tenants
        let value = 1 + (i * 7) % 13
        let day = 1 + (i / 24) % 28
        let hour = i % 24
        let d = day < 10 ? "0\(day)" : "\(day)"
        let h = hour < 10 ? "0\(hour)" : "\(hour)"
        let line =
            #"{"source":"bill","id":"r\#(i)","kind":"usage","tenant":"T\#(tenant)","product":"ecs","region":"r1","start":"2024-01-\#(d)T\#(h):00:00Z","end":"2024-01-\#(d)T\#(h):30:00Z","value":\#(value),"unit":"vCPU-h"}"#
        return (tenant, line, value)
    }

    @Test func sigkillAndRestartLosesNothingAndCountsNothingTwice() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()

        var expectedUsage = [Int](repeating: 0, count: Self.tenants)
        var bodies: [Data] = []
        for batch in 0..<Self.batches {
            var lines: [String] = []
            for index in 0..<Self.perBatch {
                let record = Self.usage(batch: batch, index: index)
                expectedUsage[record.tenant] += record.value
                lines.append(record.line)
            }
            bodies.append(Data(lines.joined(separator: "\n").utf8))
        }

        // Four senders post batches while a killer takes services down with SIGKILL at random
        // moments and starts them again. A sender whose request was cut off by a crash sends the
        // batch again, as any client would; the repeats must be harmless.
        let batches = bodies
        let senders = Task { try await suite.sendUntilStored(batches, workers: 4, attempts: 200) }
        let victims: [SuiteProcess.Service] = [.preprocessor, .calculator, .collector, .reporter, .preprocessor, .calculator, .collector, .calculator]
        for victim in victims {
            try await Task.sleep(for: .milliseconds(Int.random(in: 100...400)))
            await suite.stop(victim, signal: SIGKILL)
            try await suite.start([victim])
        }
        let undelivered = try await senders.value
        #expect(undelivered == 0)
        try await suite.waitDrained(seconds: 300)

        let total = Double(expectedUsage.reduce(0, +)) + 0  // the fixture adds no usage
        let tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        #expect(tenants.count == Self.tenants)
        for tenant in 0..<Self.tenants {
            let found = row(tenants, ["tenant": "T\(tenant)"])
            expectClose(found?["usage"], Double(expectedUsage[tenant]), "T\(tenant) usage")
            expectClose(
                found?["scope2_location"], Double(expectedUsage[tenant]) / total * Fixture.ecsJan.location, "T\(tenant) scope2_location")
            expectClose(found?["scope3"], Double(expectedUsage[tenant]) / total * Fixture.ecsJan.scope3, "T\(tenant) scope3")
        }
        await suite.stopAll()
    }
}
