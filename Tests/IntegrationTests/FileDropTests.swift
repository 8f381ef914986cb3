import Foundation
import Testing

/// A watched folder in the real collector: each file is ingested once, even when dropped again
/// or after a restart; a file that cannot be read as a batch goes to failed/ with the reason.
@Suite(.serialized) struct FileDropTests {
    @Test func aFileDroppedTwiceIsIngestedOnceAndAMalformedOneFailsWithItsReason() async throws {
        let suite = try SuiteProcess()
        let drop = suite.dataDir.appendingPathComponent("drop")
        let done = drop.appendingPathComponent("done"), failed = drop.appendingPathComponent("failed")
        let sources: [String: Any] = ["file_drop": [["name": "drop", "folder": drop.path, "poll_seconds": 0.1]]]
        try await suite.startWithSources(sources)
        let fm = FileManager.default
        func exists(_ url: URL) -> Bool { fm.fileExists(atPath: url.path) }
        func note(_ url: URL) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        }

        let records = [usageLine(source: "drop", id: "d1", vcpuHours: 2), usageLine(source: "drop", id: "d2", vcpuHours: 3)]
            .joined(separator: "\n") + "\n"
        // Written under a name the folder ignores, then renamed into place, as the docs say.
        try Data(records.utf8).write(to: drop.appendingPathComponent("usage.ndjson.part"))
        try fm.moveItem(at: drop.appendingPathComponent("usage.ndjson.part"), to: drop.appendingPathComponent("usage.ndjson"))
        try await suite.waitUntil("usage.ndjson is in done/") { exists(done.appendingPathComponent("usage.ndjson.verdict.json")) }
        #expect(exists(done.appendingPathComponent("usage.ndjson")))
        #expect(!exists(drop.appendingPathComponent("usage.ndjson")))
        let verdict = try note(done.appendingPathComponent("usage.ndjson.verdict.json"))
        #expect(int(verdict["accepted"]) == 2, "\(verdict)")

        // The same file dropped again: recognised by its content, not ingested again.
        try Data(records.utf8).write(to: drop.appendingPathComponent("usage.ndjson"))
        try await suite.waitUntil("the second usage.ndjson is in done/") { exists(done.appendingPathComponent("usage.1.ndjson.verdict.json")) }
        #expect(try note(done.appendingPathComponent("usage.1.ndjson.verdict.json"))["already_delivered_as_batch"] as? String
            == verdict["batch"] as? String)

        // And again under another name after a restart (SIGKILL): still recognised.
        await suite.stop(.collector, signal: SIGKILL)
        try await suite.restartCollector(sources: sources)
        try Data(records.utf8).write(to: drop.appendingPathComponent("copy.ndjson"))
        try await suite.waitUntil("copy.ndjson is in done/") { exists(done.appendingPathComponent("copy.ndjson.verdict.json")) }
        #expect(try note(done.appendingPathComponent("copy.ndjson.verdict.json"))["already_delivered_as_batch"] as? String
            == verdict["batch"] as? String)

        // A JSON array that never ends, and an empty CSV: failed/, each with a reason file.
        try Data(#"[{"source":"drop","id":"x"},"#.utf8).write(to: drop.appendingPathComponent("broken.json"))
        try Data().write(to: drop.appendingPathComponent("empty.csv"))
        try await suite.waitUntil("broken.json and empty.csv are in failed/") {
            exists(failed.appendingPathComponent("broken.json.reason")) && exists(failed.appendingPathComponent("empty.csv.reason"))
        }
        #expect(exists(failed.appendingPathComponent("broken.json")))
        let reason = try String(contentsOf: failed.appendingPathComponent("broken.json.reason"), encoding: .utf8)
        #expect(reason.contains("could not read the json body"), "\(reason)")
        let emptyReason = try String(contentsOf: failed.appendingPathComponent("empty.csv.reason"), encoding: .utf8)
        #expect(!emptyReason.isEmpty)

        // One batch since the restart (none: the copy was a repeat), errors for the two bad files.
        let health = try #require(try await suite.sources()["drop"])
        #expect(int(health["batches"]) == 0, "\(health)")
        #expect(int(health["errors"]) == 2, "\(health)")
        #expect(health["kind"] as? String == "file_drop")

        // Downstream: d1 + d2 = 5 vCPU-h, counted once.
        try await suite.waitDrained()
        let tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        expectClose(row(tenants, ["tenant": "A", "product": "ecs"])?["usage"], 5, "A ecs usage from the dropped file")
        await suite.stopAll()
    }
}
