import AccessControl
import Collecting
import Foundation
import GRDB
import Hummingbird
import Logging
import ServiceKit

/// Billing exports over HTTP, for the billing sources of `--sources`:
///
/// - `POST /v1/sources/{source}/exports?name=N` streams the body to disk into the source's
///   folder as the file `N` (`.csv`, `.csv.gz`): written under a hidden name first and renamed
///   into place, so the folder never sees half a file; from there it is ingested like any
///   export dropped in the folder. With `&part=P` the body is part `P` of the export `N` (a
///   folder of parts, staged hidden); `&complete=true` (no body) then puts the folder in place.
/// - `GET /v1/sources/{source}/exports/{name}` says where an export stands: `waiting`,
///   `hashing`, `reading` or `sending` (with its progress), `done` (with the note written
///   beside it in `done/`) or `failed` (with the reason).
///
/// Memory stays bounded whatever the size: the body is written as it arrives.
enum BillingExportRoutes {
    struct Accepted: ResponseEncodable, Sendable {
        var source: String
        var export: String
        var part: String?
        var bytes: Int64
        var status: String
        var statusPath: String

        enum CodingKeys: String, CodingKey {
            case source, export, part, bytes, status
            case statusPath = "status_path"
        }
    }

    static func add(
        to router: some RouterMethods<ServiceRequestContext>, sources: [BillingExportConfiguration], board: SourceHealthBoard,
        database: DatabasePool, maxExportBytes: Int64, logger: Logger
    ) {
        let folders = Dictionary(uniqueKeysWithValues: sources.map { ($0.name, URL(fileURLWithPath: $0.folder, isDirectory: true)) })

        router.post("/v1/sources/{source}/exports") { request, context -> JSONResponse<Accepted> in
            try await context.authorize { AccessPolicy.uploadBillingExport($0) }
            let source = try context.parameters.require("source")
            guard let folder = folders[source] else { throw APIError.notFound("no billing_export source named \(source)") }
            let parameters = QueryParameters.of(request)
            let name = try checkedName(parameters["name"], field: "name")
            let statusPath = "/v1/sources/\(source)/exports/\(name)"
            let staging = folder.appendingPathComponent(".upload-\(name)", isDirectory: true)
            if parameters["complete"] == "true" {
                guard FileManager.default.fileExists(atPath: staging.path) else {
                    throw APIError(.conflict, "no parts of \(name) were sent; send them with &part= first")
                }
                try place(staging, as: folder.appendingPathComponent(name))
                logger.info("billing export parts complete", metadata: ["source": "\(source)", "export": "\(name)"])
                return JSONResponse(Accepted(source: source, export: name, bytes: 0, status: "waiting", statusPath: statusPath), status: .accepted)
            }
            let part = try parameters["part"].map { try checkedPart($0) }
            guard part != nil || isExportFile(name) else {
                throw APIError.badRequest("name: an export file must end in .csv, .csv.gz or .gz (or send it in parts with &part=)", field: "name")
            }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let temporary = folder.appendingPathComponent(".upload-\(UUID().uuidString).part")
            let bytes = try await write(request.body, to: temporary, limit: maxExportBytes)
            if let part {
                let target = staging.appendingPathComponent(part)
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try place(temporary, as: target)
            } else {
                try place(temporary, as: folder.appendingPathComponent(name))
            }
            logger.info(
                "billing export received", metadata: ["source": "\(source)", "export": "\(name)", "part": "\(part ?? "")", "bytes": "\(bytes)"])
            return JSONResponse(
                Accepted(source: source, export: name, part: part, bytes: bytes, status: part == nil ? "waiting" : "staged", statusPath: statusPath),
                status: .accepted)
        }

        router.get("/v1/sources/{source}/exports/{name}") { _, context -> BillingExportStatus in
            try await context.authorize { AccessPolicy.readProviderView($0, what: "the collector's sources") }
            let source = try context.parameters.require("source")
            guard let folder = folders[source] else { throw APIError.notFound("no billing_export source named \(source)") }
            let name = try checkedName(context.parameters.get("name"), field: "name")
            if let progress = await board.health(of: source)?.progress, progress.export == name {
                return BillingExportStatus(source: source, export: name, state: progress.phase.rawValue, progress: progress)
            }
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path) {
                return BillingExportStatus(source: source, export: name, state: "waiting")
            }
            if let receipt = try await database.read({ try BillingExportStore.latestReceipt($0, source: source, name: name) }) {
                if receipt.state == "failed" {
                    return BillingExportStatus(source: source, export: name, state: "failed", reason: String(decoding: receipt.note, as: UTF8.self))
                }
                do {
                    return BillingExportStatus(source: source, export: name, state: receipt.state, note: try JSONDecoder().decode(BillingExportNote.self, from: receipt.note))
                } catch {
                    throw APIError(.internalServerError, "the note of export \(name) in source \(source) does not read as a note: \(error)")
                }
            }
            throw APIError.notFound("no export named \(name) in source \(source)")
        }
    }

    /// Whether a name is one the folder takes as an export file.
    static func isExportFile(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return lowered.hasSuffix(".csv") || lowered.hasSuffix(".gz")
    }

    /// An export's name: one path component, not hidden, not `done`/`failed`, not a staging name.
    static func checkedName(_ text: String?, field: String) throws(APIError) -> String {
        guard let text, !text.isEmpty else { throw APIError.badRequest("\(field): required (the export's file or folder name)", field: field) }
        guard text.utf8.count <= 255, !text.contains("/"), !text.contains("\\"), !text.hasPrefix("."), !["done", "failed"].contains(text),
            !text.hasSuffix(".part"), !text.hasSuffix(".tmp"), !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw APIError.badRequest("\(field): \(quoted(text)) is not a file name the folder takes (one path component, not hidden)", field: field)
        }
        return text
    }

    /// A part's path inside its export: relative components, none hidden or `..`.
    static func checkedPart(_ text: String) throws(APIError) -> String {
        let components = text.split(separator: "/", omittingEmptySubsequences: false)
        guard !text.isEmpty, text.utf8.count <= 1024, !text.hasPrefix("/"), isExportFile(text),
            components.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") && !$0.contains("\\") }),
            !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw APIError.badRequest("part: \(quoted(text)) is not a part name (a relative path of .csv or .csv.gz files, no hidden or .. components)", field: "part")
        }
        return text
    }

    /// Writes a request body to `file` as it arrives; 413 beyond `limit` bytes (the file removed).
    private static func write(_ body: RequestBody, to file: URL, limit: Int64) async throws -> Int64 {
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
            throw APIError(.internalServerError, "cannot create a file in the source's folder")
        }
        var written: Int64 = 0
        do {
            let handle = try FileHandle(forWritingTo: file)
            defer {
                // Closing a handle we opened fails only if it is already closed.
                try? handle.close()
            }
            for try await buffer in body {
                written += Int64(buffer.readableBytes)
                guard written <= limit else {
                    throw APIError(.contentTooLarge, "the export is larger than \(limit) bytes (--max-export-bytes); drop it in the folder instead")
                }
                try buffer.withUnsafeReadableBytes { try handle.write(contentsOf: Data($0)) }
            }
            try handle.synchronize()
        } catch {
            // The upload failed: a partial file must not stay behind (it is hidden, so never read).
            try? FileManager.default.removeItem(at: file)
            throw error
        }
        return written
    }

    /// Renames `from` to `to` unless `to` exists (409: the folder already has an export of that name).
    private static func place(_ from: URL, as to: URL) throws {
        guard !FileManager.default.fileExists(atPath: to.path) else {
            // The upload is not kept: a later one under another name, or once this one is done, goes through.
            try? FileManager.default.removeItem(at: from)
            throw APIError(.conflict, "\(to.lastPathComponent) is already waiting in the source's folder")
        }
        try FileManager.default.moveItem(at: from, to: to)
    }

    private static func quoted(_ text: String) -> String { "\"\(text.prefix(100))\"" }
}

extension BillingExportStatus: ResponseEncodable {}
