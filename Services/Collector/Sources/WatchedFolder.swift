import CarbonModel
import RecordParsing
import Contracts
import Collecting
import Crypto
import Foundation
import Logging

/// What a watched folder's source makes of one file: the batch to deliver, or that the file holds
/// nothing to ingest.
struct PreparedFile: Sendable {
    var body: Data
    var format: BatchFormat
    var entity: IngestEntity
    /// False when the file holds nothing to send.
    var hasRecords: Bool = true
}

/// The mechanics every watched-folder source shares (file drop, billing exports): list the
/// folder, turn each waiting file into a batch, deliver it exactly once, and move the file to
/// `done/` (with `<name>.verdict.json`) or to `failed/` (with `<name>.reason`).
///
/// Exactly once: the file's SHA-256 is the batch's delivery key, recorded in the collector's
/// store in the same transaction as the batch, so a file is ingested once even when the
/// collector dies between storing it and moving it, and the same content dropped again later,
/// under any name, is recognised and not ingested twice. Hidden files and names ending in
/// `.tmp` or `.part` are left alone: write there first, then rename into place.
///
/// A source that reads its entries itself (billing exports, streamed in chunks, and folders of
/// parts) uses the listing, the retry loop and `move` with a `handle` of its own.
struct WatchedFolder: Sendable {
    let name: String
    let folder: URL
    let pollSeconds: Double
    /// File extensions (lower case, no dot) this folder takes.
    let extensions: Set<String>
    /// Whether folders dropped in it are entries too (an export of several parts).
    var includeFolders = false
    let logger: Logger
    /// Turns a file's bytes into a batch; throws `BatchRefused` for a file that cannot be one at all.
    let prepare: @Sendable (_ file: URL, _ body: Data) throws(BatchRefused) -> PreparedFile

    /// Scans the folder every `pollSeconds` until cancelled, backing off while something fails.
    /// `handle` deals with one entry (false: it stays to be retried); by default each file is
    /// one batch made by `prepare`.
    func run(into sink: any BatchSink, health: SourceHealthBoard, handle: (@Sendable (URL) async -> Bool)? = nil) async {
        let pollMs = Int(pollSeconds * 1000)
        let backoff = Backoff(baseMilliseconds: pollMs, capMilliseconds: max(pollMs, 60_000))
        var failures = 0
        while !Task.isCancelled {
            failures = await scan(into: sink, health: health, handle: handle) ? 0 : failures + 1
            // Fails only when cancelled, which ends the loop at its check.
            try? await Task.sleep(for: .milliseconds(failures == 0 ? pollMs : backoff.delay(afterFailures: failures)))
        }
    }

    /// The entries waiting in the folder, in name order: files with one of `extensions`, and
    /// (with `includeFolders`) folders; never `done/`, `failed/`, hidden names, `.part` or `.tmp`.
    func pending() throws -> [URL] {
        for sub in ["done", "failed"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.isRegularFileKey, .isDirectoryKey])
            .filter { url in
                let fileName = url.lastPathComponent
                guard !fileName.hasPrefix(".") else { return false }
                // An entry whose kind cannot be told is not taken for a folder; as a file (below) it is
                // skipped with a warning naming the error.
                if includeFolders, !["done", "failed"].contains(fileName), !fileName.hasSuffix(".part"), !fileName.hasSuffix(".tmp"),
                    (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true
                {
                    return true
                }
                guard extensions.contains(url.pathExtension.lowercased()) else { return false }
                do { return try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true } catch {
                    // Gone since the listing: nothing to do. Otherwise it would wait here unnoticed.
                    guard FileManager.default.fileExists(atPath: url.path) else { return false }
                    logger.warning(
                        "cannot tell whether a file in the watched folder is a regular file; skipped in this scan",
                        metadata: ["source": "\(name)", "file": "\(fileName)", "error": "\(error)"])
                    return false
                }
            }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Processes every entry waiting in the folder; false when something must be retried.
    func scan(into sink: any BatchSink, health: SourceHealthBoard, handle: (@Sendable (URL) async -> Bool)? = nil) async -> Bool {
        let files: [URL]
        do {
            files = try pending()
        } catch {
            logger.error("cannot list the watched folder", metadata: ["source": "\(name)", "folder": "\(folder.path)", "error": "\(error)"])
            await health.failed(name, error: "cannot list \(folder.path): \(error.localizedDescription)")
            return false
        }
        var allWell = true
        for file in files where !Task.isCancelled {
            if let handle {
                allWell = await handle(file) && allWell
            } else {
                allWell = await process(file, into: sink, health: health) && allWell
            }
        }
        if allWell && files.isEmpty { await health.succeeded(name) }
        return allWell
    }

    /// Ingests one file and moves it; false when it stays in place to be retried.
    func process(_ file: URL, into sink: any BatchSink, health: SourceHealthBoard) async -> Bool {
        let metadata: Logger.Metadata = ["source": "\(name)", "file": "\(file.lastPathComponent)"]
        let body: Data
        do { body = try Data(contentsOf: file) } catch {
            logger.warning("cannot read a file in the watched folder; will retry", metadata: metadata.merging(["error": "\(error)"]) { a, _ in a })
            await health.failed(name, error: "cannot read \(file.lastPathComponent): \(error.localizedDescription)")
            return false
        }
        let key = "file:sha256:" + SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        do {
            let prepared = try prepare(file, body)
            guard prepared.hasRecords else {
                let note = NoteJSON.encode(["records": 0])
                try move(file, to: "done", note: note, noteExtension: "verdict.json")
                logger.info("file held no records to ingest", metadata: metadata)
                await health.succeeded(name)
                return true
            }
            let outcome = try await sink.deliver(
                CollectedBatch(body: prepared.body, format: prepared.format, entity: prepared.entity, source: name, deliveryKey: key))
            let note: Data
            switch outcome {
            case .stored(let verdict):
                note = NoteJSON.encode(verdict)
                logger.info(
                    "file ingested", metadata: metadata.merging(["batch": "\(verdict.batch)", "records": "\(verdict.received)"]) { a, _ in a })
            case .alreadyDelivered(let batch):
                note = NoteJSON.encode(["already_delivered_as_batch": batch])
                logger.notice("file was ingested before; not ingested again", metadata: metadata.merging(["batch": "\(batch)"]) { a, _ in a })
            }
            try move(file, to: "done", note: note, noteExtension: "verdict.json")
            await health.succeeded(name, outcome: outcome)
            return true
        } catch let refused as BatchRefused {
            logger.warning("file refused; moved to failed/", metadata: metadata.merging(["error": "\(refused.reason)"]) { a, _ in a })
            do { try move(file, to: "failed", note: Data((refused.reason + "\n").utf8), noteExtension: "reason") } catch {
                await health.failed(name, error: "cannot move \(file.lastPathComponent) to failed/: \(error.localizedDescription)")
                return false
            }
            await health.failed(name, error: "\(file.lastPathComponent): \(refused.reason)")
            // The file is dealt with; nothing to retry.
            return true
        } catch {
            logger.error("could not ingest a file; will retry", metadata: metadata.merging(["error": "\(error)"]) { a, _ in a })
            await health.failed(name, error: "\(file.lastPathComponent): \(error)")
            return false
        }
    }

    /// Moves `file` (or a folder of parts) into `sub/` under a name not taken yet, with a note beside it.
    func move(_ file: URL, to sub: String, note: Data, noteExtension: String) throws {
        let destinationFolder = folder.appendingPathComponent(sub, isDirectory: true)
        var target = destinationFolder.appendingPathComponent(file.lastPathComponent)
        var counter = 1
        while FileManager.default.fileExists(atPath: target.path) {
            target = destinationFolder.appendingPathComponent(
                "\(file.deletingPathExtension().lastPathComponent).\(counter).\(file.pathExtension)")
            counter += 1
        }
        // The note first: if we die between the two, the entry is still in place and is retried.
        try note.write(to: URL(fileURLWithPath: target.path + "." + noteExtension), options: .atomic)
        try FileManager.default.moveItem(at: file, to: target)
    }

    /// A name's stem and extensions: `bill.csv.gz` → (`bill`, `.csv.gz`), `usage.csv` →
    /// (`usage`, `.csv`), `parts` → (`parts`, ``).
    static func split(_ name: String) -> (stem: String, suffix: String) {
        var stem = Substring(name)
        var suffix = ""
        if stem.hasSuffix(".gz"), stem.count > 3 {
            suffix = ".gz"
            stem = stem.dropLast(3)
        }
        if let dot = stem.lastIndex(of: "."), dot != stem.startIndex {
            suffix = String(stem[dot...]) + suffix
            stem = stem[..<dot]
        }
        return (String(stem), suffix)
    }
}
