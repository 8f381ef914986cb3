import Foundation
import Testing

/// Two shards of preprocessors and of calculators, each stage with one standby replica, all
/// claiming shards themselves (`--shard auto`). While records flow, the replica holding a shard
/// is killed with SIGKILL and NOT restarted until another has taken its shard over: the standby
/// finishes the dead one's unacknowledged work from the dead one's store. The results equal
/// those of an undisturbed run — nothing lost, nothing counted twice.
@Suite(.serialized) struct ShardTakeoverTests {
    static let batches = 60

    @Test func aStandbyTakesOverAKilledReplicasShardAndNothingIsLost() async throws {
        let suite = try SuiteProcess(preprocessors: 2, calculators: 2, standbys: 1)
        try await suite.start()
        try await suite.declareFixture()
        // Records in a second region too, so that both calculator shards hold work.
        try await suite.postExpectingAccepted("/v1/sites", #"[{"site":"s3","region":"r2","grid":"G1"}]"#, "application/json", accepted: 1)
        try await suite.postExpectingAccepted("/v1/activity", ScaleOutTests.regionTwo.split(separator: "\n").prefix(2).joined(separator: "\n"), "application/x-ndjson", accepted: 2)

        var expectedUsage = [Int](repeating: 0, count: RestartTests.tenants)
        var regionTwoUsage = 0
        var bodies: [Data] = []
        for batch in 0..<Self.batches {
            var lines: [String] = []
            for index in 0..<RestartTests.perBatch {
                let record = RestartTests.usage(batch: batch, index: index)
                if index % 7 == 3 {
                    // One record in seven goes to r2 under tenant C.
                    regionTwoUsage += record.value
                    lines.append(record.line.replacingOccurrences(of: #""tenant":"T\#(record.tenant)""#, with: #""tenant":"C""#)
                        .replacingOccurrences(of: #""region":"r1""#, with: #""region":"r2""#))
                } else {
                    expectedUsage[record.tenant] += record.value
                    lines.append(record.line)
                }
            }
            bodies.append(Data(lines.joined(separator: "\n").utf8))
        }

        let batches = bodies
        let senders = Task { try await suite.sendUntilStored(batches, workers: 3, attempts: 300) }

        // Kill the holder of each shard of each stage in turn; wait for another replica to hold
        // that shard before the killed one comes back (as a standby, since its shard is taken).
        var takeovers: [String] = []
        for (service, shard) in [(SuiteProcess.Service.preprocessor, 0), (.calculator, 1), (.preprocessor, 1), (.calculator, 0)] {
            try await Task.sleep(for: .milliseconds(Int.random(in: 200...600)))
            let victim = try #require(await suite.shardHolder(service, shard: shard), "no \(service.rawValue) holds shard \(shard)")
            await suite.stop(replica: victim, signal: SIGKILL)
            var successor: String?
            for _ in 0..<600 where successor == nil {
                successor = await suite.shardHolder(service, shard: shard)
                if successor == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            let heir = try #require(successor, "no replica took over \(service.rawValue) shard \(shard) from \(victim)")
            #expect(heir != victim)
            takeovers.append("\(service.rawValue) shard \(shard): \(victim) → \(heir)")
            try await suite.relaunch(replica: victim)
        }
        let undelivered = try await senders.value
        #expect(undelivered == 0)
        try await suite.waitDrained(seconds: 300)

        // r1: the fixture's ecs emissions split by usage, as in the undisturbed RestartTests run.
        let total = Double(expectedUsage.reduce(0, +))
        let tenants = try await suite.emissions("layer=tenant&region=r1&from=2024-01&to=2024-01")
        #expect(tenants.count == RestartTests.tenants, "\(takeovers)")
        for tenant in 0..<RestartTests.tenants {
            let found = row(tenants, ["tenant": "T\(tenant)"])
            expectClose(found?["usage"], Double(expectedUsage[tenant]), "T\(tenant) usage")
            expectClose(found?["scope2_location"], Double(expectedUsage[tenant]) / total * Fixture.ecsJan.location, "T\(tenant) scope2_location")
        }
        // r2: C alone uses ecs there, so it carries all of s3's 300 kWh × 0.5, and its usage is exact.
        let regionTwo = try await suite.emissions("layer=tenant&region=r2&from=2024-01&to=2024-01")
        expectClose(row(regionTwo, ["tenant": "C"])?["usage"], Double(regionTwoUsage), "C usage in r2")
        expectClose(row(regionTwo, ["tenant": "C"])?["scope2_location"], 150, "C in r2")

        // Every process of each stage held a shard at some point and did work: the standby by taking over.
        for service in [SuiteProcess.Service.preprocessor, .calculator] {
            var holders = 0
            for name in suite.replicaNames(service) {
                let metrics = String(decoding: try await suite.request(port: suite.httpPort(replica: name), "/metrics", method: "GET").1, as: UTF8.self)
                if ScaleOutTests.value(of: "carbonmeter_replica_standby", in: metrics) == 0 { holders += 1 }
            }
            #expect(holders == 2, "\(service.rawValue): \(holders) replicas hold a shard, expected 2 (\(takeovers))")
        }
        await suite.stopAll()
    }
}
