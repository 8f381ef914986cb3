import Collecting
import Foundation

/// `carbonctl ingest --billing-source NAME FILE|FOLDER…`: each argument is one cloud billing
/// export (a `.csv` or `.csv.gz` file, or a folder of parts), streamed to the collector's
/// billing source (`POST /v1/sources/NAME/exports`), which converts it with the source's
/// mapping. Progress on stderr: the upload, then the collector's reading and sending
/// (`GET /v1/sources/NAME/exports/EXPORT`), as a bar on a terminal and a line per step
/// otherwise; then the summary of what the export became.
struct BillingExportIngestion {
    let collector: ServiceClient
    let source: String
    let wait: Bool
    let onTerminal: Bool

    /// Sends every export; returns whether any row or record was rejected.
    func run(_ paths: [String]) async throws -> Bool {
        var rejectedAny = false
        for path in paths {
            let url = URL(fileURLWithPath: path)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { throw CtlError.usage("cannot read \(path): no such file") }
            let name = url.standardizedFileURL.lastPathComponent
            if isFolder.boolValue {
                let parts = try Self.parts(of: url)
                guard !parts.isEmpty else { throw CtlError.usage("\(path): the folder holds no .csv or .csv.gz part") }
                let total = parts.reduce(Int64(0)) { $0 + $1.bytes }
                var sent: Int64 = 0
                for part in parts {
                    try await upload(part.url, name: name, part: part.name, done: sent, total: total)
                    sent += part.bytes
                }
                let reply = try await collector.send("POST", "/v1/sources/\(source)/exports", query: [.init(name: "name", value: name), .init(name: "complete", value: "true")])
                guard reply.status == 202 else { throw CtlError.refused(service: "collector", status: reply.status, message: reply.text) }
            } else {
                let bytes: Int64
                do { bytes = Int64(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0) } catch {
                    throw CtlError.usage("cannot read \(path): \(error.localizedDescription)")
                }
                try await upload(url, name: name, part: nil, done: 0, total: bytes)
            }
            finishLine()
            guard wait else {
                StandardError.write("\(name): sent to \(source); follow it with GET /v1/sources/\(source)/exports/\(name)\n")
                continue
            }
            rejectedAny = try await follow(name) || rejectedAny
        }
        return rejectedAny
    }

    /// The parts of a folder export: every `.csv`/`.csv.gz` file under it, by relative path.
    static func parts(of folder: URL) throws -> [(url: URL, name: String, bytes: Int64)] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey], options: [.skipsHiddenFiles]) else {
            throw CtlError.usage("cannot list \(folder.path)")
        }
        let base = folder.standardizedFileURL.path
        var parts: [(URL, String, Int64)] = []
        for case let url as URL in walker {
            let lowered = url.lastPathComponent.lowercased()
            guard lowered.hasSuffix(".csv") || lowered.hasSuffix(".gz") else { continue }
            let values = try url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            guard values.isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            parts.append((url, path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : url.lastPathComponent, Int64(values.fileSize ?? 0)))
        }
        return parts.sorted { $0.1 < $1.1 }
    }

    private func upload(_ file: URL, name: String, part: String?, done: Int64, total: Int64) async throws {
        var components = URLComponents(url: collector.baseURL.appendingPathComponent("/v1/sources/\(source)/exports"), resolvingAgainstBaseURL: false)
        components?.queryItems = [.init(name: "name", value: name)] + (part.map { [.init(name: "part", value: $0)] } ?? [])
        guard let url = components?.url else { throw CtlError.usage("cannot build an upload URL for \(name)") }
        let onTerminal = onTerminal
        let label = part.map { "\(name)/\($0)" } ?? name
        if !onTerminal { StandardError.write("\(label): uploading \(Self.size(total - done)) to \(source)\n") }
        let reply = try await ExportUpload.post(file, to: url, token: collector.token) { sent in
            if onTerminal { Self.redraw("upload  " + Self.bar(done + sent, of: total) + " \(Self.size(done + sent)) / \(Self.size(total))") }
        }
        guard reply.status == 202 else {
            finishLine()
            throw CtlError.refused(service: "collector", status: reply.status, message: String(decoding: reply.body, as: UTF8.self))
        }
    }

    /// Polls the export's status until it is done or failed; prints the summary. Returns whether
    /// anything was rejected.
    private func follow(_ name: String) async throws -> Bool {
        var lastLine = ""
        while true {
            let reply = try await collector.send("GET", "/v1/sources/\(source)/exports/\(name)")
            guard reply.status == 200 else { throw CtlError.refused(service: "collector", status: reply.status, message: reply.text) }
            let status: BillingExportStatus
            do { status = try JSONDecoder().decode(BillingExportStatus.self, from: reply.body) } catch {
                throw CtlError.refused(service: "collector", status: reply.status, message: "unreadable status (\(error)): \(reply.text)")
            }
            let state = status.state
            switch state {
            case "done":
                finishLine()
                guard let note = status.note else {
                    throw CtlError.refused(service: "collector", status: reply.status, message: "\(name) is done but its status has no note: \(reply.text)")
                }
                return render(name, note: note)
            case "failed":
                finishLine()
                throw CtlError.refused(service: "collector", status: 422, message: "\(name) failed: \(status.reason ?? "")")
            default:
                let line = Self.describe(state, progress: status.progress)
                if onTerminal {
                    Self.redraw(line)
                } else if line != lastLine, !line.hasPrefix("waiting") || lastLine.isEmpty {
                    StandardError.write(name + ": " + line + "\n")
                }
                lastLine = line
            }
            try await Task.sleep(for: .milliseconds(onTerminal ? 300 : 2_000))
        }
    }

    /// One progress line: the phase, a bar and the counts.
    static func describe(_ state: String, progress: ExportProgress?) -> String {
        let bytesDone = progress?.bytesDone ?? 0, bytesTotal = progress?.bytesTotal ?? 0
        switch state {
        case "hashing":
            return "hashing " + bar(bytesDone, of: bytesTotal) + " \(size(bytesDone)) / \(size(bytesTotal))"
        case "reading":
            return "reading " + bar(bytesDone, of: bytesTotal)
                + " \(size(bytesDone)) / \(size(bytesTotal)), \(progress?.rows ?? 0) rows, part \(progress?.part ?? 0)/\(progress?.parts ?? 0)"
        case "sending":
            let sent = Int64(progress?.recordsSent ?? 0), total = Int64(progress?.recordsTotal ?? 0)
            return "sending " + bar(sent, of: total) + " \(sent) / \(total) records"
        default:
            return "waiting in the collector's folder"
        }
    }

    /// The note as printed: counts, rejections by line (and part), what was left out.
    private func render(_ name: String, note: BillingExportNote) -> Bool {
        let conversion = note.conversion
        var text = ""
        if let batch = note.alreadyDeliveredAsBatch {
            text += "\(name): ingested before (batch \(batch)); not ingested again\n"
        }
        text += "\(name): rows \(conversion.rows), usage rows \(conversion.usageRows), records \(conversion.usageRecords), "
            + "rejected rows \(conversion.rejectedRows)\n"
        if let verdict = note.verdict {
            text += "batches \(verdict.batches.count), records \(verdict.received): accepted \(verdict.accepted), "
                + "repeats \(verdict.repeats), revisions \(verdict.revisions), rejected \(verdict.rejectedCount)\n"
            for rejection in verdict.rejected {
                let part = rejection.part.map { "\($0):" } ?? ""
                text += "rejected \(name):\(part)line \(rejection.line ?? 0): \(rejection.reason)\n"
            }
            if verdict.rejectedCount > verdict.rejected.count {
                text += "(\(verdict.rejectedCount - verdict.rejected.count) more rejections in the preprocessor's quarantine)\n"
            }
            if !verdict.queuedBatches.isEmpty {
                text += "not validated yet: batches \(verdict.queuedBatches.joined(separator: ", ")) (GET /v1/batches/{id})\n"
            }
        }
        for (type, count) in conversion.notUsage.sorted(by: { $0.key < $1.key }) {
            text += "not usage: \(type) \(count)\n"
        }
        for (code, count) in conversion.unmapped.sorted(by: { $0.key < $1.key }) {
            text += "unmapped: \(code) \(count) (\((conversion.unmappedLines[code] ?? []).joined(separator: ", ")))\n"
        }
        for part in conversion.duplicateParts { text += "duplicate part left out: \(part)\n" }
        print(text, terminator: "")
        return (note.verdict?.rejectedCount ?? 0) > 0 || conversion.rejectedRows > 0
    }

    private func finishLine() {
        if onTerminal { StandardError.write("\r\u{1B}[K") }
    }

    private static func redraw(_ line: String) { StandardError.write("\r\u{1B}[K" + line) }

    static func bar(_ done: Int64, of total: Int64) -> String {
        let capped = total <= 0 ? 0 : Int(min(Int64(30), done * 30 / max(1, total)))
        return IngestProgress.bar(sent: capped, total: 30, width: 30)
    }

    /// Bytes for people: `512 B`, `3.4 MB`, `10.2 GB`.
    static func size(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
