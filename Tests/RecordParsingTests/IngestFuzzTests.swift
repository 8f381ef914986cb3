import CarbonModel
import RecordParsing
import Foundation
import IngestFuzzing
import Testing

/// Seeded, bounded fuzzing of the ingest path in process — framing (JSON, NDJSON, CSV), the
/// repeated-key scan, the claim read by access checks and validation — with hostile variations
/// of good lines: nothing crashes, and the good lines of an NDJSON body validate whatever their
/// neighbours hold. `CM_FUZZ_SEED` and `CM_FUZZ_ITERATIONS` repeat or extend a run.
struct IngestFuzzTests {
    static let registry = Registry(
        sites: ["s1": SiteDeclaration(site: "s1", region: "r1", grid: "G1")],
        products: ["ecs": ProductDeclaration(product: "ecs", unit: "vCPU-h")])

    static func good(_ n: Int) -> String {
        #"{"source":"fuzz","id":"good-\#(n)","kind":"usage","tenant":"F","product":"ecs","region":"r1","start":"2024-01-01T00:00:00Z","end":"2024-01-02T00:00:00Z","value":\#(n % 7 + 1),"unit":"vCPU-h","tags":{"team":"x"}}"#
    }

    @Test func hostileLinesNeverCrashAndNeverSpoilGoodNeighbours() throws {
        let seed = IngestMutator.seed(fallback: 20_261_204)
        var rng = SeededGenerator(seed: seed)
        let iterations = IngestMutator.iterations(fallback: 3_000)
        var goodSeen = 0, hostileRejected = 0
        for iteration in 0..<iterations {
            let goodLines = (0..<Int.random(in: 1...3, using: &rng)).map { Self.good(iteration * 10 + $0) }
            let hostile = (0..<Int.random(in: 1...3, using: &rng)).map { _ in IngestMutator.mutate(goodLines[0], using: &rng) }
            // The repeated-key scan and the claim take any bytes.
            for line in hostile {
                _ = JSONDuplicateKey.first(in: Data(line.utf8))
                _ = RecordValidator.claim(Data(line.utf8))
                if case .failure = RecordValidator.normalize(Data(line.utf8), registry: Self.registry) { hostileRejected += 1 }
            }
            // NDJSON: hostile lines in between good ones; every good one still validates.
            let ndjson = Data((hostile + goodLines).shuffled(using: &rng).joined(separator: "\n").utf8)
            if let records = try? BatchFraming.records(in: ndjson, format: .ndjson) {
                for record in records where record.framingError == nil {
                    if case .success(let normalized) = RecordValidator.normalize(record.json, registry: Self.registry),
                        normalized.source == "fuzz", normalized.id.hasPrefix("good-"),
                        goodLines.contains(where: { $0.contains("\"id\":\"\(normalized.id)\"") })
                    {
                        goodSeen += 1
                    }
                }
            }
            // JSON arrays and CSV bodies of hostile text are framed or refused, never crash.
            let array = Data(("[" + (goodLines + hostile).joined(separator: ",") + "]").utf8)
            _ = try? BatchFraming.records(in: array, format: .json)
            let csv = "source,id,kind,tenant,product,region,start,end,value,unit\n" + hostile.joined(separator: "\n")
            _ = try? BatchFraming.records(in: Data(csv.utf8), format: .csv)
        }
        print("ingest fuzz: seed \(seed), \(iterations) iterations, \(goodSeen) good lines validated, \(hostileRejected) hostile lines rejected")
        // Every iteration has at least one good line; a line that framing splits (an inserted
        // newline) may take a good neighbour's place at most once per hostile line.
        #expect(goodSeen >= iterations, "good lines that validated: \(goodSeen) of at least \(iterations)")
        #expect(hostileRejected > iterations / 2, "the mutations are hostile enough to be rejected mostly")
    }
}
