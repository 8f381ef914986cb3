/// A source of records compiled into the collector service: a file-drop folder, a command run on
/// a schedule, a billing export, a metrics scrape. It produces batches and hands each to the
/// `BatchSink`, which is the same ingest path HTTP and ZeroMQ requests take (batch stored with its
/// outbox message in one transaction, validated by the preprocessor, verdict returned). It tells
/// the `SourceHealthBoard` how each attempt went, which `/metrics` and `GET /v1/sources` show.
///
/// `run` loops until its task is cancelled (the collector's graceful shutdown) and must not
/// throw or crash on a bad input: a failure is reported to the board, and retried with
/// `Backoff`. A minimal implementation, a source that sends one fixed record a minute:
///
/// ```swift
/// struct HeartbeatCollector: Collector {
///     let name = "heartbeat"
///     let kind = "example"
///     func run(into sink: any BatchSink, health: SourceHealthBoard) async {
///         var failures = 0
///         while !Task.isCancelled {
///             let minute = Int(Date().timeIntervalSince1970) / 60
///             let line = #"{"source":"heartbeat","id":"\#(minute)","kind":"facility.it_electricity","site":"s1","#
///                 + #""start":"…","end":"…","value":1,"unit":"Wh"}"#
///             do {
///                 let outcome = try await sink.deliver(CollectedBatch(body: Data(line.utf8), format: .ndjson, source: name))
///                 await health.succeeded(name, outcome: outcome)
///                 failures = 0
///             } catch {
///                 failures += 1
///                 await health.failed(name, error: "\(error)")
///             }
///             let wait = failures == 0 ? 60_000 : Backoff(baseMilliseconds: 1_000, capMilliseconds: 60_000).delay(afterFailures: failures)
///             // Fails only when cancelled, which ends the loop at its check.
///             try? await Task.sleep(for: .milliseconds(wait))
///         }
///     }
/// }
/// ```
///
/// Register it in `CollectorCommand` beside the configured sources (see docs/collectors.md).
public protocol Collector: Sendable {
    /// Unique among the collector's sources; used in logs, metrics labels and `/v1/sources`.
    var name: String { get }
    /// What sort of source this is, e.g. `exec` or `file_drop`.
    var kind: String { get }
    /// Produces batches until the task is cancelled. Never throws: failures go to `health`.
    func run(into sink: any BatchSink, health: SourceHealthBoard) async
}
