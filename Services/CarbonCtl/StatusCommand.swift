import ArgumentParser
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
                let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
                drained = object?["drained"] as? Bool == true
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

    /// "drained" or "not drained", then one line per stage that is busy or unreachable.
    static func describe(_ body: Data) -> String {
        // Not the status object: shown as it came, which says more than the parser would.
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return String(decoding: body, as: UTF8.self) }
        var lines = [object["drained"] as? Bool == true ? "drained" : "not drained"]
        for service in object["services"] as? [[String: Any]] ?? [] where service["idle"] as? Bool != true {
            let detail = service.filter { $0.key != "idle" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            lines.append("  busy: \(detail)")
        }
        for unreachable in object["unreachable"] as? [String] ?? [] { lines.append("  unreachable: \(unreachable)") }
        return lines.joined(separator: "\n")
    }
}
