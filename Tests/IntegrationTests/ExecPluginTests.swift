import Foundation
import Testing

/// Exec plugins run by the real collector: one that fails, one that hangs past its timeout,
/// one that prints garbage among good lines, one that works. Each failure is counted and
/// retried; the good lines land; the collector stays up.
@Suite(.serialized) struct ExecPluginTests {
    @Test func failingHangingAndGarbagePluginsAreCountedRetriedAndTheirGoodLinesLand() async throws {
        let suite = try SuiteProcess()
        // A sleep no other test runs, so we can tell afterwards that the hung plugin's group was killed.
        let hangSeconds = 3_600 + Int.random(in: 1..<1_000)
        func shell(_ script: String) -> [String] { ["/bin/sh", "-c", script] }
        try await suite.startWithSources([
            "exec": [
                [
                    "name": "fails", "interval_seconds": 60, "retry_seconds": 0.2, "timeout_seconds": 10,
                    "command": shell("printf '%s\\n' '\(usageLine(source: "fails", id: "f1"))'; echo 'meter offline' >&2; exit 3"),
                ],
                [
                    "name": "hangs", "interval_seconds": 60, "retry_seconds": 0.2, "timeout_seconds": 0.5,
                    "command": shell("printf '%s\\n' '\(usageLine(source: "hangs", id: "h1"))'; sleep \(hangSeconds)"),
                ],
                [
                    "name": "garbage", "interval_seconds": 60, "retry_seconds": 0.2, "timeout_seconds": 10,
                    "command": shell(
                        "printf '%s\\n' '\(usageLine(source: "garbage", id: "g1"))' 'WARNING: this is not json' '\(usageLine(source: "garbage", id: "g2"))' '{\"broken\":'"
                    ),
                ],
                [
                    "name": "works", "interval_seconds": 60, "timeout_seconds": 10,
                    "command": ["printf", "%s\\n", usageLine(source: "works", id: "w1")],
                ],
            ]
        ])

        // Every failing plugin is retried (with back-off) at least twice in a few seconds.
        try await suite.waitUntil("each failing plugin failed at least twice and delivered its good lines") {
            let sources = try await suite.sources()
            return ["fails", "hangs", "garbage"].allSatisfy { int(sources[$0]?["errors"]) ?? 0 >= 2 && int(sources[$0]?["accepted"]) ?? 0 >= 1 }
                && int(sources["works"]?["accepted"]) == 1
        }
        let sources = try await suite.sources()
        let fails = try #require(sources["fails"])
        #expect(fails["state"] as? String == "failing")
        #expect(fails["kind"] as? String == "exec")
        #expect((fails["last_error"] as? String)?.contains("exited with status 3") == true, "\(fails)")
        #expect(fails["last_success"] == nil || fails["last_success"] is NSNull)

        let hangs = try #require(sources["hangs"])
        #expect((hangs["last_error"] as? String)?.contains("still running after 500 ms; killed") == true, "\(hangs)")

        let garbage = try #require(sources["garbage"])
        #expect((garbage["last_error"] as? String)?.contains("2 line(s) are not JSON objects (line 2") == true, "\(garbage)")
        // Per run: g1 and g2 land (new the first time, repeats after), the two bad lines are
        // rejected and quarantined rather than dropped.
        let runs = try #require(int(garbage["batches"]))
        #expect(int(garbage["accepted"]) == 2 * runs, "\(garbage)")
        #expect(int(garbage["rejected"]) == 2 * runs, "\(garbage)")

        let works = try #require(sources["works"])
        #expect(works["state"] as? String == "ok")
        #expect(int(works["errors"]) == 0)
        #expect(works["last_success"] is Double, "\(works)")

        // Failures are in /metrics too, per source.
        let (_, metricsData) = try await suite.get(.collector, "/metrics")
        let metrics = String(decoding: metricsData, as: UTF8.self)
        #expect(metrics.contains(#"carbonmeter_source_up{service="collector",instance="collector-1",source="fails",kind="exec"} 0"#), "\(metrics)")
        #expect(metrics.contains(#"carbonmeter_source_up{service="collector",instance="collector-1",source="works",kind="exec"} 1"#))
        #expect(metrics.contains("carbonmeter_source_lag_seconds{"))

        // The good lines landed downstream: f1, h1, g1, g2, w1 are 5 vCPU-h of tenant A.
        try await suite.waitDrained()
        let tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        let aEcs = try #require(row(tenants, ["tenant": "A", "product": "ecs"]), "\(tenants)")
        expectClose(aEcs["usage"], 5, "A ecs usage from the plugins' good lines")

        // The collector is still up.
        #expect(suite.terminationStatus(.collector) == nil)
        let (health, _) = try await suite.get(.collector, "/health")
        #expect(health == 200)
        // The hung plugin is retried, so a fresh `sleep` may be running now; once the collector
        // has stopped, none may be left behind.
        await suite.stopAll()
        var leftover = true
        for _ in 0..<40 where leftover {
            leftover = Self.processRunning(commandLineContaining: "sleep\u{0}\(hangSeconds)")
            if leftover { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(!leftover, "the hung plugin outlived the collector")
    }

    /// True when some process's command line (NUL-separated) contains `text`.
    static func processRunning(commandLineContaining text: String) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.contains { entry in
            guard Int(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).contains(text)
        }
    }
}
