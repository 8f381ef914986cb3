import CarbonModel
import Collecting
import Crypto
import Foundation
import Logging

/// A watched folder: every NDJSON (`.ndjson`, `.jsonl`), JSON (`.json`) or CSV (`.csv`) file put
/// in it is ingested once and then moved to `done/` (with `<name>.verdict.json`), or to `failed/`
/// with `<name>.reason` when it cannot be read as a batch at all. The file's SHA-256 is its
/// delivery key, recorded in the collector's store in the same transaction as the batch, so a
/// file is ingested once even when the collector dies between storing it and moving it, and a
/// file dropped again later is recognised and not ingested twice. Hidden files and names ending
/// in `.tmp` or `.part` are left alone: write there first, then rename into place.
struct FileDropCollector: Collector {
    let configuration: FileDropConfiguration
    let logger: Logger
    var name: String { configuration.name }
    var kind: String { "file_drop" }

    static let extensions: Set<String> = ["ndjson", "jsonl", "json", "csv"]

    var folder: URL { URL(fileURLWithPath: configuration.folder, isDirectory: true) }

    func run(into sink: any BatchSink, health: SourceHealthBoard) async {
        let pollMs = Int(configuration.pollSeconds * 1000)
        let backoff = Backoff(baseMilliseconds: pollMs, capMilliseconds: max(pollMs, 60_000))
        var failures = 0
        while !Task.isCancelled {
            failures = await scan(into: sink, health: health) ? 0 : failures + 1
            try? await Task.sleep(for: .milliseconds(failures == 0 ? pollMs : backoff.delay(afterFailures: failures)))
        }
    }

    /// Processes every file waiting in the folder; false when something must be retried.
    func scan(into sink: any BatchSink, health: SourceHealthBoard) async -> Bool {
        let files: [URL]
        do {
            for sub in ["done", "failed"] {
                try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
                .filter { url in
                    let fileName = url.lastPathComponent
                    return !fileName.hasPrefix(".") && Self.extensions.contains(url.pathExtension.lowercased())
                        && (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
                }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            logger.error("cannot list the drop folder", metadata: ["source": "\(name)", "folder": "\(folder.path)", "error": "\(error)"])
            await health.failed(name, error: "cannot list \(folder.path): \(error.localizedDescription)")
            return false
        }
        var allWell = true
        for file in files where !Task.isCancelled {
            allWell = await process(file, into: sink, health: health) && allWell
        }
        if allWell && files.isEmpty { await health.succeeded(name) }
        return allWell
    }

    /// Ingests one file and moves it; false when it stays in place to be retried.
    func process(_ file: URL, into sink: any BatchSink, health: SourceHealthBoard) async -> Bool {
        let metadata: Logger.Metadata = ["source": "\(name)", "file": "\(file.lastPathComponent)"]
        let body: Data
        do { body = try Data(contentsOf: file) } catch {
            logger.warning("cannot read a dropped file; will retry", metadata: metadata.merging(["error": "\(error)"]) { a, _ in a })
            await health.failed(name, error: "cannot read \(file.lastPathComponent): \(error.localizedDescription)")
            return false
        }
        let key = "file:sha256:" + SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        let format: BatchFormat
        switch file.pathExtension.lowercased() {
        case "csv": format = .csv
        case "json": format = BatchFormat.sniff(body)
        default: format = .ndjson
        }
        do {
            let outcome = try await sink.deliver(
                CollectedBatch(body: body, format: format, entity: configuration.entity, source: name, deliveryKey: key))
            let note: Data
            switch outcome {
            case .stored(let verdict):
                note = NoteJSON.encode(verdict)
                logger.info(
                    "dropped file ingested",
                    metadata: metadata.merging(["batch": "\(verdict.batch)", "records": "\(verdict.received)"]) { a, _ in a })
            case .alreadyDelivered(let batch):
                note = NoteJSON.encode(["already_delivered_as_batch": batch])
                logger.notice("dropped file was ingested before; not ingested again", metadata: metadata.merging(["batch": "\(batch)"]) { a, _ in a })
            }
            try move(file, to: "done", note: note, noteExtension: "verdict.json")
            await health.succeeded(name, outcome: outcome)
            return true
        } catch let refused as BatchRefused {
            logger.warning("dropped file refused; moved to failed/", metadata: metadata.merging(["error": "\(refused.reason)"]) { a, _ in a })
            do { try move(file, to: "failed", note: Data((refused.reason + "\n").utf8), noteExtension: "reason") } catch {
                await health.failed(name, error: "cannot move \(file.lastPathComponent) to failed/: \(error.localizedDescription)")
                return false
            }
            await health.failed(name, error: "\(file.lastPathComponent): \(refused.reason)")
            // The file is dealt with; nothing to retry.
            return true
        } catch {
            logger.error("could not ingest a dropped file; will retry", metadata: metadata.merging(["error": "\(error)"]) { a, _ in a })
            await health.failed(name, error: "\(file.lastPathComponent): \(error)")
            return false
        }
    }

    /// Moves `file` into `sub/` under a name not taken yet, with a note beside it.
    private func move(_ file: URL, to sub: String, note: Data, noteExtension: String) throws {
        let destinationFolder = folder.appendingPathComponent(sub, isDirectory: true)
        var target = destinationFolder.appendingPathComponent(file.lastPathComponent)
        var counter = 1
        while FileManager.default.fileExists(atPath: target.path) {
            target = destinationFolder.appendingPathComponent(
                "\(file.deletingPathExtension().lastPathComponent).\(counter).\(file.pathExtension)")
            counter += 1
        }
        // The note first: if we die between the two, the file is still in place and is retried.
        try note.write(to: URL(fileURLWithPath: target.path + "." + noteExtension), options: .atomic)
        try FileManager.default.moveItem(at: file, to: target)
    }
}
