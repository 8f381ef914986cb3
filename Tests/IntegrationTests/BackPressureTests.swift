import Foundation
import Testing

/// A stalled stage pushes back on senders instead of piling up, and memory stays bounded.
@Suite(.serialized) struct BackPressureTests {
    static func usageBatch(_ batch: Int, size: Int) -> Data {
        let lines = (0..<size).map { i -> String in
            let n = batch * size + i
            return #"{"source":"bp","id":"u\#(n)","kind":"usage","tenant":"T\#(n % 7)","product":"ecs","region":"r1","start":"2024-01-10T00:00:00Z","end":"2024-01-10T01:00:00Z","value":2,"unit":"vCPU-h"}"#
        }
        return Data(lines.joined(separator: "\n").utf8)
    }

    @Test func aStalledPreprocessorMakesIngestAnswer503WithRetryAfterAndNothingIsLost() async throws {
        let suite = try SuiteProcess(extraArguments: [.collector: ["--max-backlog", "3", "--verdict-timeout-ms", "1500"]])
        try await suite.start()
        try await suite.declareFixture()
        await suite.stop(.preprocessor)
        for batch in 0..<3 {
            let (status, _) = try await suite.post(.collector, "/v1/activity", body: Self.usageBatch(batch, size: 10), contentType: "application/x-ndjson")
            #expect(status == 202, "batch \(batch) should be stored and queued")
        }
        let (busy, body, headers) = try await suite.requestWithHeaders(
            port: suite.httpPort(.collector), "/v1/activity", method: "POST", body: Self.usageBatch(3, size: 10),
            headers: ["Content-Type": "application/x-ndjson"])
        #expect(busy == 503, "\(String(decoding: body, as: UTF8.self))")
        #expect(headers["retry-after"] == "2")
        #expect(String(decoding: body, as: UTF8.self).contains("behind"))

        try await suite.start([.preprocessor])
        try await suite.waitDrained()
        let tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        let usage = tenants.compactMap { $0["usage"] as? Double }.reduce(0, +)
        expectClose(usage, 3 * 10 * 2, "usage of the three stored batches")
        await suite.stopAll()
    }

    @Test func withTheReporterDownIngestGoesOnAndMemoryStaysBounded() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()
        await suite.stop(.reporter)
        let batches = 30, size = 500
        for batch in 0..<batches {
            let (status, _) = try await suite.post(.collector, "/v1/activity", body: Self.usageBatch(batch, size: size), contentType: "application/x-ndjson")
            #expect(status == 200)
        }
        // Stated bound: every service under 150 MB resident at its peak.
        for service in [SuiteProcess.Service.collector, .preprocessor, .calculator] {
            let peak = try #require(suite.peakRSSMegabytes(service))
            #expect(peak < 150, "\(service.rawValue) peaked at \(peak) MB")
        }
        try await suite.start([.reporter])
        try await suite.waitDrained()
        let tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        let usage = tenants.compactMap { $0["usage"] as? Double }.reduce(0, +)
        expectClose(usage, Double(batches * size * 2), "usage after the reporter came back")
        expectClose(
            tenants.compactMap { $0["scope2_location"] as? Double }.reduce(0, +), Fixture.ecsJan.location, "all of ecs allocated")
        let peak = try #require(suite.peakRSSMegabytes(.reporter))
        #expect(peak < 150, "reporter peaked at \(peak) MB")
        await suite.stopAll()
    }
}
