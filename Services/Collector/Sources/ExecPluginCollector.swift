import Collecting
import Foundation
import Logging

/// An exec plugin (like Telegraf's exec input): runs a configured command on a schedule and
/// ingests the NDJSON records it prints. A run that exits non-zero, is killed by a signal,
/// outlives its timeout (its process group is killed), or prints lines that are not JSON objects
/// is logged, counted and retried with back-off; whatever it printed is still sent, so its good
/// lines land and its bad ones are quarantined with the reason rather than dropped.
struct ExecPluginCollector: Collector {
    let configuration: ExecPluginConfiguration
    let logger: Logger
    var name: String { configuration.name }
    var kind: String { "exec" }

    func run(into sink: any BatchSink, health: SourceHealthBoard) async {
        let intervalMs = Int(configuration.intervalSeconds * 1000)
        let backoff = Backoff(baseMilliseconds: Int(configuration.retrySeconds * 1000), capMilliseconds: intervalMs)
        var failures = 0
        while !Task.isCancelled {
            failures = await runOnce(into: sink, health: health) ? 0 : failures + 1
            let wait = failures == 0 ? intervalMs : backoff.delay(afterFailures: failures)
            // Fails only when cancelled, which ends the loop at its check.
            try? await Task.sleep(for: .milliseconds(wait))
        }
    }

    /// One run of the command; true when it went entirely well.
    func runOnce(into sink: any BatchSink, health: SourceHealthBoard) async -> Bool {
        let metadata: Logger.Metadata = ["source": "\(name)", "kind": "exec"]
        let result: CommandResult
        do {
            result = try await CommandRunner.run(configuration.command, timeoutMilliseconds: Int(configuration.timeoutSeconds * 1000))
        } catch {
            logger.error("exec plugin could not be started", metadata: metadata.merging(["error": "\(error)"]) { a, _ in a })
            await health.failed(name, error: "could not start \(configuration.command.first ?? ""): \(error)")
            return false
        }
        var problems: [String] = []
        switch result.end {
        case .exited(0): break
        case .exited(let status): problems.append("exited with status \(status)")
        case .signalled(let signal): problems.append("killed by signal \(signal)")
        case .timedOut(let ms): problems.append("still running after \(ms) ms; killed")
        }
        if result.truncated { problems.append("printed more than the output limit; the rest was dropped") }
        let lines = OutputLines(result.stdout)
        if let first = lines.garbage.first {
            problems.append("\(lines.garbage.count) line(s) are not JSON objects (line \(first.line): \(first.excerpt.debugDescription))")
        }
        if lines.objects + lines.garbage.count > 0 {
            do {
                let outcome = try await sink.deliver(
                    CollectedBatch(body: result.stdout, format: .ndjson, entity: configuration.entity, source: name))
                await health.delivered(name, outcome: outcome)
            } catch {
                problems.append("could not deliver its output: \(error)")
            }
        }
        guard problems.isEmpty else {
            let stderr = String(decoding: result.stderr.suffix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let message = problems.joined(separator: "; ")
            logger.warning(
                "exec plugin run failed; retrying with back-off",
                metadata: metadata.merging(["error": "\(message)", "stderr": "\(stderr)", "good_lines": "\(lines.objects)"]) { a, _ in a })
            await health.failed(name, error: message)
            return false
        }
        await health.succeeded(name)
        return true
    }
}
