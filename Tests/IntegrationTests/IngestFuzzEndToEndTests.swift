import Foundation
import IngestFuzzing
import Testing

/// Seeded, bounded fuzzing of the real collector over HTTP and ZeroMQ: batches in JSON, NDJSON
/// and CSV mixing good usage records with hostile variations of them. No answer is a 5xx, no
/// service dies or hangs (the pipeline drains), and every good record of an NDJSON batch lands
/// whatever its neighbours hold. `CM_FUZZ_SEED` and `CM_FUZZ_ITERATIONS` repeat or extend a run.
@Suite(.serialized) struct IngestFuzzEndToEndTests {
    static func good(_ n: Int) -> String {
        #"{"source":"fuzz","id":"good-\#(n)","kind":"usage","tenant":"F","product":"ecs","region":"r1","start":"2024-01-01T00:00:00Z","end":"2024-01-02T00:00:00Z","value":1,"unit":"vCPU-h"}"#
    }

    @Test func hostileBatchesNeitherCrashNorHangAndGoodRecordsLand() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.loadFixture(usage: false)
        let ingest = try await IngestClient(suite, name: "fuzz-client")

        let seed = IngestMutator.seed(fallback: 4_122_026)
        var rng = SeededGenerator(seed: seed)
        let iterations = IngestMutator.iterations(fallback: 60)
        var landed = 0, goodSentInNDJSON = 0, statuses: [Int: Int] = [:]
        for iteration in 0..<iterations {
            let goodLines = (0..<3).map { Self.good(iteration * 10 + $0) }
            let hostile = (0..<Int.random(in: 1...4, using: &rng)).map { _ in IngestMutator.mutate(goodLines[0], using: &rng) }
            let lines = (goodLines + hostile).shuffled(using: &rng)
            let (body, contentType): (String, String)
            switch iteration % 3 {
            case 0: (body, contentType) = (lines.joined(separator: "\n"), "application/x-ndjson")
            case 1: (body, contentType) = ("[" + lines.joined(separator: ",") + "]", "application/json")
            default:
                // CSV: the good records as rows, the hostile lines as raw rows.
                let header = "source,id,kind,tenant,product,region,start,end,value,unit"
                let rows = goodLines.indices.map { "fuzz,good-\(iteration * 10 + $0),usage,F,ecs,r1,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,1,vCPU-h" }
                (body, contentType) = (([header] + (rows + hostile).shuffled(using: &rng)).joined(separator: "\n"), "text/csv")
            }
            let status: Int
            let verdict: [String: Any]
            if iteration % 2 == 0 {
                let (code, data) = try await suite.post(.collector, "/v1/activity", body: Data(body.utf8), contentType: contentType)
                (status, verdict) = (code, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
            } else {
                let reply = try await ingest.ingest(body)
                (status, verdict) = (reply.status, reply.verdict)
            }
            statuses[status, default: 0] += 1
            #expect([200, 202, 400, 413, 415].contains(status), "iteration \(iteration) (seed \(seed)): \(status) \(verdict)")
            if status == 200 { landed += verdict["accepted"] as? Int ?? 0 }
            // NDJSON frames line by line: the three good records land whatever the others hold
            // (a hostile line repeating a good one's id as an exact copy counts as a repeat).
            if contentType == "application/x-ndjson", status == 200 {
                goodSentInNDJSON += 3
                let accepted = (verdict["accepted"] as? Int ?? 0) + (verdict["repeats"] as? Int ?? 0) + (verdict["revisions"] as? Int ?? 0)
                #expect(accepted >= 3, "iteration \(iteration) (seed \(seed)): good NDJSON records did not all land: \(verdict)")
            }
        }
        print("ingest fuzz end to end: seed \(seed), \(iterations) batches, answers \(statuses.sorted { $0.key < $1.key }), \(landed) records accepted")
        // Nothing hung or died: every stage drains and answers.
        try await suite.waitDrained()
        for service in SuiteProcess.Service.allCases {
            #expect(suite.terminationStatus(service) == nil, "\(service) exited")
            #expect(try await suite.get(service, "/health").0 == 200, "\(service) /health")
        }
        #expect(goodSentInNDJSON > 0)
        await ingest.close()
        await suite.stopAll()
    }
}
