import Collecting
import Contracts
import Crypto
import Foundation
import GRDB
import Logging

/// Why an export cannot be ingested at all (a header that is not the format's, a gzip part that
/// is truncated or corrupt, a folder without parts): it goes to `failed/` with this reason, which
/// names the part and, where it applies, the line.
struct BillingExportRefused: Error, CustomStringConvertible {
    var description: String
}

/// Ingests one billing export dropped in a `billing_export` source's folder: a file (`.csv`,
/// `.csv.gz`), or a folder of parts (every `.csv`/`.csv.gz` file in it, at any depth, in path
/// order, as AWS Data Exports and the other providers deliver large exports).
///
/// In bounded memory whatever the size: each part is read in chunks (`ExportPartReader`,
/// `CSVRowReader`), every `commitRows` rows are converted and summed (`BillingRowConverter`,
/// `BillingChunk`) and stored in one transaction with the part's resume point
/// (`BillingExportStore`); once every part is read, the records and rejected rows are sent in
/// batches of `batchRecords`, each with its own delivery key. A restart resumes at the last
/// stored chunk or the last sent batch; an export whose content (its parts' SHA-256) was
/// ingested before is not ingested again, and a part that is a byte-identical copy of another
/// part of the same export is left out and listed.
struct BillingExportIngest: Sendable {
    let source: String
    let format: BillingExportFormat
    let mapping: BillingMapping
    let folder: WatchedFolder
    let database: DatabasePool
    /// Where the note looks up the verdicts of the export's batches.
    let verdicts: VerdictTracker
    let sink: any BatchSink
    let health: SourceHealthBoard
    let logger: Logger
    /// Rows converted and stored per transaction (the unit of resumption).
    let commitRows: Int
    /// Records (and rejected rows) per batch sent.
    let batchRecords: Int
    /// How long to wait, once everything is sent, for the verdicts of batches still queued.
    let verdictWaitSeconds: Double
    /// Rejections listed in the note (all are in the preprocessor's quarantine).
    static let rejectionsListed = 10_000

    /// One file of the export and how it is named in messages (nil for a lone file).
    struct PartFile: Sendable {
        var url: URL
        var name: String
    }

    /// Deals with one entry; false when it stays in place to be retried.
    func process(_ entry: URL) async -> Bool {
        let name = entry.lastPathComponent
        let metadata: Logger.Metadata = ["source": "\(source)", "export": "\(name)"]
        do {
            try await run(entry)
            await health.progress(source, nil)
            return true
        } catch let refused as BillingExportRefused {
            logger.warning("billing export refused; moved to failed/", metadata: metadata.merging(["error": "\(refused)"]) { a, _ in a })
            await health.progress(source, nil)
            do {
                try await database.write { db in
                    try BillingExportStore.receipt(db, source: source, name: name, export: nil, state: "failed", note: Data(refused.description.utf8))
                }
            } catch {
                // The export still goes to failed/ with its reason; only GET .../exports/{name} will not know it.
                logger.error("could not record a refused billing export", metadata: metadata.merging(["error": "\(error)"]) { a, _ in a })
            }
            do { try folder.move(entry, to: "failed", note: Data((refused.description + "\n").utf8), noteExtension: "reason") } catch {
                await health.failed(source, error: "cannot move \(name) to failed/: \(error.localizedDescription)")
                return false
            }
            await health.failed(source, error: "\(name): \(refused)")
            return true
        } catch is CancellationError {
            // Shutting down: the export resumes where it stopped at the next start.
            logger.info("billing export interrupted; it resumes at the next start", metadata: metadata)
            return false
        } catch {
            logger.error("could not ingest a billing export; will retry", metadata: metadata.merging(["error": "\(error)"]) { a, _ in a })
            await health.failed(source, error: "\(name): \(error)")
            return false
        }
    }

    private func run(_ entry: URL) async throws {
        let name = entry.lastPathComponent
        let files = try partFiles(entry)
        let started = Date().timeIntervalSince1970
        // Identify the export by its content: every part hashed once.
        var hashed: [(file: PartFile, hash: String, bytes: Int64)] = []
        let totalBytes = try files.reduce(Int64(0)) { $0 + (try Self.size(of: $1.url)) }
        var hashedBytes: Int64 = 0
        for (index, file) in files.enumerated() {
            let (hash, bytes) = try await sha256(file.url) { done in
                await health.progress(
                    source,
                    ExportProgress(
                        export: name, phase: .hashing, part: index + 1, parts: files.count, bytesDone: hashedBytes + done,
                        bytesTotal: totalBytes, rows: 0, startedAt: started))
            }
            hashedBytes += bytes
            hashed.append((file, hash, bytes))
        }
        var unique: [(file: PartFile, hash: String, bytes: Int64)] = []
        var summary = BillingConversionSummary(format: format)
        for part in hashed {
            if unique.contains(where: { $0.hash == part.hash }) { summary.duplicateParts.append(part.file.name) } else { unique.append(part) }
        }
        summary.parts = unique.count
        let id = "sha256:" + (unique.count == 1 ? unique[0].hash : Self.hex(SHA256.hash(data: Data(unique.map(\.hash).joined(separator: "\n").utf8))))
        let present = Set(try folder.pending().map(\.lastPathComponent))

        var export = try await database.write { db -> BillingExportStore.Export? in
            for dropped in try BillingExportStore.dropAbandoned(db, source: source, present: present, replacing: (name, id)) {
                logger.warning("an unfinished billing export is gone from the folder or was replaced; its progress is dropped",
                    metadata: ["source": "\(source)", "export": "\(dropped)"])
            }
            // The same content renamed while unfinished: its progress holds, under the new name.
            try BillingExportStore.rename(db, export: id, to: name)
            return try BillingExportStore.export(db, id: id)
        }
        if let done = export, done.state == .done {
            try await finishAsRepeat(entry, batch: done.firstBatch, summary: done.summary, id: id)
            return
        }
        let legacyKey = "file:sha256:\(unique[0].hash)"
        if export == nil, unique.count == 1, files.count == 1,
            let batch = try await database.read({ try CollectorStore.deliveredBatch($0, key: legacyKey) })
        {
            // Ingested whole by an earlier version of the collector.
            try await finishAsRepeat(entry, batch: batch, summary: summary, id: id)
            return
        }
        if export == nil {
            let parts = unique.map { (name: $0.file.name, hash: $0.hash, bytes: $0.bytes) }
            let initial = summary
            export = try await database.write { db in
                try BillingExportStore.begin(db, id: id, source: source, name: name, format: format, parts: parts, summary: initial)
                return try BillingExportStore.export(db, id: id)
            }
            logger.info(
                "billing export started",
                metadata: ["source": "\(source)", "export": "\(name)", "id": "\(id)", "parts": "\(unique.count)", "bytes": "\(totalBytes)"])
        } else {
            logger.notice("billing export resumed", metadata: ["source": "\(source)", "export": "\(name)", "id": "\(id)"])
        }
        guard var current = export else { return }

        if current.state == .reading {
            let parts = try await database.read { try BillingExportStore.parts($0, export: id) }
            let byHash = Dictionary(unique.map { ($0.hash, $0.file) }, uniquingKeysWith: { first, _ in first })
            var doneBytes = parts.filter(\.done).reduce(Int64(0)) { $0 + $1.bytes }
            let bytesTotal = parts.reduce(Int64(0)) { $0 + $1.bytes }
            var rows = parts.reduce(0) { $0 + $1.rows }
            for part in parts where !part.done {
                guard let file = byHash[part.hash] else { throw BillingExportRefused(description: "\(part.name): the part is gone from the export") }
                let (before, rowsBefore) = (doneBytes, rows)
                current.summary = try await read(
                    part, file: file, of: current, label: unique.count > 1 || files.count > 1 ? file.name : nil,
                    progress: { fileOffset, partRows in
                        ExportProgress(
                            export: name, phase: .reading, part: part.number + 1, parts: parts.count, bytesDone: before + fileOffset,
                            bytesTotal: bytesTotal, rows: rowsBefore - part.rows + partRows, startedAt: started)
                    })
                doneBytes += part.bytes
                rows = try await database.read { db in try BillingExportStore.parts(db, export: id).reduce(0) { $0 + $1.rows } }
            }
            let final = current.summary
            current.summary = try await database.write { try BillingExportStore.finishReading($0, export: id, summary: final) }
            current.state = .sending
        }
        try await send(&current, name: name, started: started)
        let note = try await note(for: current)
        try await database.write { db in
            try BillingExportStore.finish(db, export: id, note: note)
            try BillingExportStore.receipt(db, source: source, name: name, export: id, state: "done", note: note)
        }
        try folder.move(entry, to: "done", note: note, noteExtension: "verdict.json")
        logger.info(
            "billing export ingested",
            metadata: [
                "source": "\(source)", "export": "\(name)", "rows": "\(current.summary.rows)", "records": "\(current.summary.usageRecords)",
                "rejected_rows": "\(current.summary.rejectedRows)", "batches": "\(current.sentBatches)",
            ])
        await health.succeeded(source)
    }

    // MARK: Parts

    /// The export's files: the entry itself, or every `.csv`/`.csv.gz` file under the folder.
    private func partFiles(_ entry: URL) throws -> [PartFile] {
        let isFolder = (try entry.resourceValues(forKeys: [.isDirectoryKey])).isDirectory == true
        guard isFolder else { return [PartFile(url: entry, name: entry.lastPathComponent)] }
        guard let walker = FileManager.default.enumerator(at: entry, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { throw BillingExportRefused(description: "cannot list the folder \(entry.lastPathComponent)") }
        var parts: [PartFile] = []
        let base = entry.standardizedFileURL.path
        for case let url as URL in walker {
            let file = url.lastPathComponent.lowercased()
            guard file.hasSuffix(".csv") || file.hasSuffix(".csv.gz") || file.hasSuffix(".gz"),
                try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true
            else { continue }
            let path = url.standardizedFileURL.path
            let relative = path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : url.lastPathComponent
            parts.append(PartFile(url: url, name: relative))
        }
        guard !parts.isEmpty else {
            throw BillingExportRefused(description: "the folder \(entry.lastPathComponent) holds no .csv or .csv.gz part")
        }
        return parts.sorted { $0.name < $1.name }
    }

    private static func size(of url: URL) throws -> Int64 {
        Int64(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0)
    }

    /// The SHA-256 of a file, read in 1 MiB pieces; `progress` hears every 64 MiB.
    private func sha256(_ url: URL, progress: (Int64) async -> Void) async throws -> (String, Int64) {
        let handle = try FileHandle(forReadingFrom: url)
        defer {
            // Closing a handle opened for reading fails only when already closed.
            try? handle.close()
        }
        var hasher = SHA256()
        var bytes: Int64 = 0
        var reported: Int64 = 0
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
            try Task.checkCancellation()
            hasher.update(data: data)
            bytes += Int64(data.count)
            if bytes - reported >= 64 << 20 {
                reported = bytes
                await progress(bytes)
            }
        }
        return (Self.hex(hasher.finalize()), bytes)
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// Reads one part from where it stopped, storing a chunk every `commitRows` rows; returns the
    /// export's summary with this part's rows counted.
    private func read(
        _ part: BillingExportStore.Part, file: PartFile, of export: BillingExportStore.Export, label: String?,
        progress: @Sendable (Int64, Int) -> ExportProgress
    ) async throws -> BillingConversionSummary {
        let partName = label ?? file.name
        func refused(_ error: ExportReadError) -> BillingExportRefused { BillingExportRefused(description: "\(partName): \(error.message)") }
        // The header, read again on a resume (it is the first row).
        let first: ExportPartReader
        do { first = try ExportPartReader(file: file.url) } catch { throw refused(error) }
        var rows = CSVRowReader()
        var header: CSVRow?
        headerLoop: while true {
            switch rows.next() {
            case .row:
                header = rows.row
                break headerLoop
            case .needsInput:
                let chunk: [UInt8]?
                do { chunk = try first.next() } catch { throw refused(error) }
                if let chunk { rows.append(chunk) } else { rows.finish() }
            case .end: break headerLoop
            }
        }
        guard let header else {
            throw BillingExportRefused(description: "not a \(format.rawValue) billing export: \(partName) is empty (no header row)")
        }
        var converter: BillingRowConverter
        do { converter = try BillingRowConverter(format: format, mapping: mapping, source: source, header: header, partLabel: label) } catch {
            // The header's own message says "not a <format> export" when a column is missing.
            let message = error.message.contains("not a \(format.rawValue) export") ? error.message : "not a \(format.rawValue) billing export: \(error.message)"
            throw BillingExportRefused(description: message)
        }
        let reader: ExportPartReader
        if part.streamOffset > 0 {
            do {
                reader = try ExportPartReader(file: file.url)
                try reader.skip(to: part.streamOffset)
            } catch { throw refused(error) }
            rows = CSVRowReader(startOffset: part.streamOffset, startLine: part.line)
        } else {
            reader = first
        }
        var summary = export.summary
        var chunk = BillingChunk(format: format)
        var partRows = part.rows
        while true {
            try Task.checkCancellation()
            switch rows.next() {
            case .row:
                let row = rows.row
                let outcome = converter.convert(row) { chunk.holds($0) }
                chunk.add(outcome, line: row.line, position: converter.position(row.line)) { rows.rawText() }
                if chunk.rowsRead >= commitRows, let boundary = rows.boundary {
                    partRows += chunk.rowsRead
                    summary.add(chunk.summary)
                    try await commit(chunk, export: export.id, part: part.number, summary: summary, resumeAt: boundary, fileOffset: reader.fileOffset, done: false)
                    chunk = BillingChunk(format: format)
                    await health.progress(source, progress(reader.fileOffset, partRows))
                }
            case .needsInput:
                let data: [UInt8]?
                do { data = try reader.next() } catch {
                    let at = rows.boundary.map { ", after line \($0.line - 1)" } ?? ""
                    throw BillingExportRefused(description: "\(partName): \(error.message)\(at)")
                }
                if let data { rows.append(data) } else { rows.finish() }
            case .end:
                summary.add(chunk.summary)
                let end = rows.boundary ?? (reader.streamOffset, 0)
                try await commit(chunk, export: export.id, part: part.number, summary: summary, resumeAt: end, fileOffset: reader.fileOffset, done: true)
                await health.progress(source, progress(reader.fileOffset, partRows + chunk.rowsRead))
                return summary
            }
        }
    }

    private func commit(
        _ chunk: BillingChunk, export: String, part: Int, summary: BillingConversionSummary, resumeAt: (offset: Int64, line: Int),
        fileOffset: Int64, done: Bool
    ) async throws {
        try await database.write { db in
            try BillingExportStore.store(
                db, export: export, part: part, chunk: chunk, summary: summary, resumeAt: resumeAt, fileOffset: fileOffset, done: done)
        }
    }

    // MARK: Sending

    /// Sends the records and rejected rows after the export's cursor, `batchRecords` at a time,
    /// each batch with the delivery key of its number (so a batch re-sent after a restart is
    /// recognised and not stored twice). A pipeline that is behind (503) is waited for.
    private func send(_ export: inout BillingExportStore.Export, name: String, started: Double) async throws {
        let total = export.summary.usageRecords + export.summary.rejectedRows
        while true {
            try Task.checkCancellation()
            let (after, exportID) = (export.cursor, export.id)
            let page = try await database.read { try BillingExportStore.page($0, export: exportID, after: after, limit: batchRecords) }
            guard let last = page.last else { return }
            let body = Data((page.map(\.text).joined(separator: "\n") + "\n").utf8)
            let number = export.sentBatches
            // The key names the rows the batch holds: a page sent again after a restart is the same
            // rows and is recognised; a page cut otherwise (batch_records changed) is not mistaken
            // for it (its records would only be repeats).
            let key = "billing:\(export.id):\(after.part).\(after.line)-\(last.cursor.part).\(last.cursor.line)"
            let batch = CollectedBatch(body: body, format: .ndjson, entity: .activity, source: source, deliveryKey: key)
            let outcome = try await deliver(batch)
            let id: String
            switch outcome {
            case .stored(let verdict): id = verdict.batch
            case .alreadyDelivered(let earlier): id = earlier
            }
            try await database.write { db in
                try BillingExportStore.sent(db, export: exportID, number: number, batch: id, start: after, end: last.cursor, lines: page.count)
            }
            await health.delivered(source, outcome: outcome)
            export.sentBatches += 1
            export.sentRecords += page.count
            export.cursor = last.cursor
            if export.firstBatch == nil { export.firstBatch = id }
            await health.progress(
                source,
                ExportProgress(
                    export: name, phase: .sending, part: export.summary.parts, parts: export.summary.parts, bytesDone: 0, bytesTotal: 0,
                    rows: export.summary.rows, recordsSent: export.sentRecords, recordsTotal: total, startedAt: started))
        }
    }

    /// Delivers a batch, waiting while the pipeline is behind; other refusals end the export.
    private func deliver(_ batch: CollectedBatch) async throws -> DeliveryOutcome {
        var waits = 0
        while true {
            do {
                return try await sink.deliver(batch)
            } catch let refused as BatchRefused where refused.status == 503 || refused.status == 429 {
                waits += 1
                if waits == 1 || waits % 30 == 0 {
                    logger.notice("the pipeline is behind; the billing export waits", metadata: ["source": "\(source)", "reason": "\(refused.reason)"])
                }
                try await Task.sleep(for: .seconds(1))
            } catch let refused as BatchRefused {
                throw BillingExportRefused(description: "a batch of the export was refused: \(refused.reason)")
            }
        }
    }

    // MARK: The note

    /// The note of a sent export: every batch's verdict (waiting a while for those still queued),
    /// rejections placed on the export's own lines (and parts).
    private func note(for export: BillingExportStore.Export) async throws -> Data {
        let batches = try await database.read { try BillingExportStore.batches($0, export: export.id) }
        guard !batches.isEmpty else { return NoteJSON.encode(BillingExportNote(export: export.id, conversion: export.summary)) }
        let parts = try await database.read { try BillingExportStore.parts($0, export: export.id) }
        let partNames = Dictionary(uniqueKeysWithValues: parts.map { ($0.number, $0.name) })
        let multiPart = export.summary.parts > 1 || !export.summary.duplicateParts.isEmpty
        var verdict = BillingExportNote.Verdict(batch: batches.first?.batch, batches: batches.map(\.batch))
        let deadline = Date().addingTimeInterval(verdictWaitSeconds)
        for sent in batches {
            let answer = try await verdicts.awaitStoredVerdict(of: sent.batch, until: deadline)
            guard let answer, answer.status == .processed else {
                verdict.status = "queued"
                verdict.queuedBatches.append(sent.batch)
                continue
            }
            verdict.received += answer.received
            verdict.accepted += answer.accepted
            verdict.repeats += answer.repeats
            verdict.revisions += answer.revisions
            verdict.rejectedCount += answer.rejected.count
            guard !answer.rejected.isEmpty, verdict.rejected.count < Self.rejectionsListed else { continue }
            // Batch line n is the n-th record or rejection sent after the batch's start.
            let page = try await database.read { try BillingExportStore.page($0, export: export.id, after: sent.start, limit: sent.lines) }
            for rejected in answer.rejected where verdict.rejected.count < Self.rejectionsListed {
                let at = rejected.line.flatMap { $0 >= 1 && $0 <= page.count ? page[$0 - 1].cursor : nil }
                verdict.rejected.append(
                    BillingExportNote.Rejection(
                        line: at?.line ?? rejected.line, part: multiPart ? at.flatMap { partNames[$0.part] } : nil, field: rejected.field,
                        reason: rejected.reason))
            }
        }
        return NoteJSON.encode(BillingExportNote(export: export.id, verdict: verdict, conversion: export.summary))
    }

    /// An export ingested before (by content): moved to `done/` with a note naming the batch.
    private func finishAsRepeat(_ entry: URL, batch: String?, summary: BillingConversionSummary, id: String) async throws {
        let note = NoteJSON.encode(BillingExportNote(export: id, alreadyDeliveredAsBatch: batch ?? "", conversion: summary))
        let name = entry.lastPathComponent
        try await database.write { try BillingExportStore.receipt($0, source: source, name: name, export: id, state: "done", note: note) }
        try folder.move(entry, to: "done", note: note, noteExtension: "verdict.json")
        logger.notice(
            "billing export was ingested before; not ingested again",
            metadata: ["source": "\(source)", "export": "\(entry.lastPathComponent)", "batch": "\(batch ?? "")"])
        await health.succeeded(source)
    }
}
