import ArgumentParser
import Contracts
import Foundation

/// `carbonctl status`: whether every accepted record has reached the results.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Tell whether the pipeline has drained (every accepted record is in the results).",
        discussion: """
            Asks the reporter's /v1/status, which surveys every stage. Prints "drained" or \
            "not drained" with what each stage still holds. With --wait, asks again every \
            half second until drained or the seconds run out.

            Exit status: 0 drained, 1 not drained, 2 reporter unreachable.

            Example:
              carbonctl ingest usage.csv && carbonctl status --wait 120 && carbonctl emissions
            """)

    @OptionGroup var client: ClientOptions

    @Option(help: "Seconds to wait for the pipeline to drain (0: ask once).")
    var wait: Double = 0

    @Flag(help: "Print the reporter's JSON answer.")
    var json = false

    func run() async throws {
        var drained = false
        try await reportingFailures {
            let reporter = try client.client(for: .reporter)
            let deadline = Date().addingTimeInterval(wait)
            var body = Data()
            while true {
                body = try await reporter.get("/v1/status")
                // An answer that is not the status object counts as not drained, and is printed as it is below.
                drained = (try? JSONDecoder().decode(PipelineStatus.self, from: body))?.drained == true
                if drained || Date() >= deadline { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            if json {
                FileHandle.standardOutput.write(body)
                print()
            } else {
                print(Self.describe(body))
            }
        }
        if !drained { throw ExitCode(1) }
    }

    /// "drained" or "not drained", then one line per stage that holds work or is unreachable:
    /// `busy: calculator c0 outbox_pending=3 pending_work=1` and the stage's own details.
    static func describe(_ body: Data) -> String {
        // Not the status object: shown as it came, which says more than the parser would.
        guard let status = try? JSONDecoder().decode(PipelineStatus.self, from: body) else { return String(decoding: body, as: UTF8.self) }
        var lines = [status.drained ? "drained" : "not drained"]
        for service in status.services where !service.idle {
            let counts = ["outbox_pending=\(service.outboxPending)", "pending_work=\(service.pendingWork)"]
                + (service.healthy ? [] : ["healthy=false"])
                + service.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            lines.append("  busy: \(service.service) \(service.instance) \(counts.joined(separator: " "))")
        }
        for unreachable in status.unreachable { lines.append("  unreachable: \(unreachable)") }
        return lines.joined(separator: "\n")
    }
}
