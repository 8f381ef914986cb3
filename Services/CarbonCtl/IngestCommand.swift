import ArgumentParser
import Contracts
import Foundation

/// `carbonctl ingest`: sends files to the collector in batches and sums the verdicts.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Send NDJSON, CSV or JSON-array files to the collector, in batches; or cloud billing exports to a billing source.",
        discussion: """
            Each file is cut into batches of at most --batch-size records (NDJSON lines, CSV rows \
            under the file's header, or JSON array elements) and posted to the collector's \
            /v1/<entity>. The format follows the extension (.ndjson/.jsonl, .csv, .json) or the \
            first byte. Progress goes to stderr: a bar on a terminal, a line per batch otherwise. \
            A batch answered 503 (pipeline behind) is sent again after its Retry-After.

            The summary sums every verdict: accepted, repeats, revisions, and each rejected \
            record with its file, line (or array record) and reason.

            With --billing-source NAME, each argument is a cloud billing export (FOCUS, AWS CUR \
            2.0, AWS CUR, Google Cloud's BigQuery export; a .csv or .csv.gz file, or a folder of \
            parts) for the collector's billing_export source NAME, which converts it with its \
            mapping. The file is streamed (any size); progress shows the upload, then the \
            collector reading and sending it; the summary lists rejected rows by line (and part) \
            and the services no mapping rule took. --no-wait returns once it is uploaded.

            Exit status: 0 when every record was stored, 1 when any record was rejected, \
            2 when the collector could not be reached or refused a batch (or an export) as a whole.

            Example:
              carbonctl ingest --entity sites sites.json
              carbonctl ingest meters-2024-01.ndjson billing.csv --batch-size 5000
              carbonctl ingest --billing-source focus focus-2024-01.csv.gz
              carbonctl ingest --billing-source aws-cur2 ./cur2-2024-01/
            """)

    /// The collector's entities, one endpoint each.
    enum Entity: String, ExpressibleByArgument, CaseIterable, Sendable {
        case activity, sites, products, factors
    }

    @OptionGroup var client: ClientOptions

    @Option(help: "What the files hold: activity, sites, products or factors.")
    var entity: Entity = .activity

    @Option(help: "Records per batch (1…100000).")
    var batchSize: Int = 1000

    @Option(help: "Attempts per batch while the collector answers 503.")
    var maxAttempts: Int = 30

    @Option(help: "Send billing exports to this billing_export source of the collector instead of batches of records.")
    var billingSource: String?

    @Flag(help: "With --billing-source: return once each export is uploaded, without following it.")
    var noWait = false

    @Argument(help: "Files to send (NDJSON, CSV with a header row, or a JSON array; with --billing-source, exports: files or folders of parts).")
    var files: [String]

    func validate() throws {
        guard (1...100_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1…100000") }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        if let billingSource {
            guard !billingSource.isEmpty, !billingSource.contains("/") else { throw ValidationError("--billing-source must name a source") }
            guard entity == .activity else { throw ValidationError("--billing-source sends billing exports; --entity does not apply") }
        } else if noWait {
            throw ValidationError("--no-wait applies to --billing-source only")
        }
    }

    func run() async throws {
        var rejectedAny = false
        if let billingSource {
            try await reportingFailures {
                let ingestion = BillingExportIngestion(
                    collector: try client.client(for: .collector), source: billingSource, wait: !noWait, onTerminal: isatty(STDERR_FILENO) == 1)
                rejectedAny = try await ingestion.run(files)
            }
            if rejectedAny { throw ExitCode(1) }
            return
        }
        try await reportingFailures {
            let collector = try client.client(for: .collector)
            var planned: [(file: String, batches: [FileBatch])] = []
            for file in files {
                let url = URL(fileURLWithPath: file)
                let data: Data
                do { data = try Data(contentsOf: url) } catch { throw CtlError.usage("cannot read \(file): \(error.localizedDescription)") }
                let format = BatchSplitter.format(of: url, data: data)
                do {
                    planned.append((file, try BatchSplitter.split(data, format: format, size: batchSize)))
                } catch let error as CtlError {
                    throw CtlError.usage("\(file): \(error)")
                }
            }
            let total = planned.reduce(0) { $0 + $1.batches.reduce(0) { $0 + $1.records } }
            var progress = IngestProgress(total: total, onTerminal: isatty(STDERR_FILENO) == 1)
            var summary = IngestSummary()
            for (file, batches) in planned {
                for (number, batch) in batches.enumerated() {
                    let verdict = try await send(batch, to: collector)
                    summary.add(verdict, file: file, batch: batch)
                    progress.advance(by: batch.records, file: file, batch: number + 1, of: batches.count)
                }
            }
            progress.finish()
            print(summary.rendered(), terminator: "")
            rejectedAny = !summary.rejected.isEmpty
        }
        if rejectedAny { throw ExitCode(1) }
    }

    /// Posts one batch, again after Retry-After while the collector answers 503; waits for the
    /// final verdict of a batch the collector only queued (202).
    private func send(_ batch: FileBatch, to collector: ServiceClient) async throws -> Verdict {
        var attempt = 1
        while true {
            let reply = try await collector.send("POST", "/v1/\(entity.rawValue)", body: batch.body, contentType: batch.contentType)
            switch reply.status {
            case 200:
                return try Verdict.decode(reply.body)
            case 202:
                return try await awaitVerdict(try Verdict.decode(reply.body), from: collector)
            case 503 where attempt < maxAttempts:
                let seconds = reply.retryAfter.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } ?? 1
                StandardError.write("collector busy (503); retrying in \(seconds) s\n")
                try await Task.sleep(for: .milliseconds(Int(max(0.05, min(seconds, 60)) * 1000)))
                attempt += 1
            case 400, 413, 415:
                // The batch as a whole could not be read: all its records are rejected, with the
                // collector's reason (exit status 1, like any rejected record).
                // An error body that is not JSON is shown as its text.
                let message = (try? JSONDecoder().decode(HTTPErrorBody.self, from: reply.body))?.error ?? reply.text
                return Verdict(
                    batch: "", status: "processed", received: batch.records, accepted: 0, repeats: 0, revisions: 0,
                    rejected: [Verdict.Rejection(line: nil, index: nil, field: nil, reason: "whole batch refused (\(reply.status)): \(message)")])
            default:
                throw CtlError.refused(service: "collector", status: reply.status, message: reply.text)
            }
        }
    }

    /// Polls `/v1/batches/{id}` until the preprocessor has answered for a queued batch.
    private func awaitVerdict(_ queued: Verdict, from collector: ServiceClient) async throws -> Verdict {
        var verdict = queued
        while verdict.status != "processed" {
            try await Task.sleep(for: .seconds(1))
            let reply = try await collector.send("GET", "/v1/batches/\(queued.batch)")
            guard reply.status == 200 || reply.status == 202 else {
                throw CtlError.refused(service: "collector", status: reply.status, message: reply.text)
            }
            verdict = try Verdict.decode(reply.body)
        }
        return verdict
    }
}
