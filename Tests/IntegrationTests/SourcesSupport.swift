import Foundation
import Testing

/// Helpers for tests of the collector's compiled-in sources (exec plugins, watched folders).
extension SuiteProcess {
    /// Starts the suite, declares the fixture's sites and products, then restarts the collector
    /// with `sources` as its sources file, so the sources' records find a registry on their first run.
    func startWithSources(_ sources: [String: Any]) async throws {
        try await start()
        try await postExpectingAccepted("/v1/sites", Fixture.sites, "application/json", accepted: 2)
        try await postExpectingAccepted("/v1/products", Fixture.products, "application/json", accepted: 2)
        await stop(.collector)
        try await restartCollector(sources: sources)
    }

    func restartCollector(sources: [String: Any]) async throws {
        let file = dataDir.appendingPathComponent("sources.json")
        try JSONSerialization.data(withJSONObject: sources, options: [.prettyPrinted]).write(to: file)
        extraArguments[.collector] = ["--sources", file.path]
        try await start([.collector])
    }

    /// `GET /v1/sources` on the collector, by source name.
    func sources() async throws -> [String: [String: Any]] {
        let listing = try await json(.collector, "/v1/sources")
        let sources = listing["sources"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: sources.compactMap { source in (source["name"] as? String).map { ($0, source) } })
    }

    /// Polls `condition` every 100 ms until it holds or `seconds` pass; the error names `what`.
    /// The default is generous: it bounds a wait for a condition, it is not a speed requirement.
    func waitUntil(_ what: String, seconds: Double = 120, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SuiteError("timed out after \(seconds) s waiting until \(what); collector log: \(log(.collector).suffix(3000))")
    }
}

/// A usage record of tenant A on ecs in region r1, as one NDJSON line.
func usageLine(source: String, id: String, vcpuHours: Double = 1) -> String {
    #"{"source":"\#(source)","id":"\#(id)","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"2024-01-01T00:00:00Z","end":"2024-01-02T00:00:00Z","value":\#(vcpuHours),"unit":"vCPU-h"}"#
}

/// Numbers in JSON from Foundation come as NSNumber; this reads them as Int.
func int(_ value: Any?) -> Int? { (value as? NSNumber)?.intValue }
