import Dispatch
import AccessControl
import Foundation
import GRDB
import Hummingbird

/// What an online backup wrote.
public struct BackupReport: ResponseCodable, Sendable {
    public var instance: String
    public var file: String
    public var bytes: Int
}

/// `POST /v1/admin/backup?name=NAME`: an online backup of this service's store (SQLite's backup
/// API, consistent while the service keeps working) into `<data-dir>/backups/NAME/<instance>.sqlite`.
/// The name is a plain folder name, so a request cannot write anywhere else. `scripts/backup`
/// calls every service, upstream first — anything a downstream store lacks is then still in an
/// upstream outbox of the backup, and is sent again after a restore. With authentication on,
/// only the provider admin may take a backup (it copies every tenant's data). Backup folders
/// are 0700 and backup files 0600, whatever the umask; secrets a service keeps in key files of
/// their own (auth's signing and audit keys) are not in its store, so not in its backups.
public enum BackupRoutes {
    public static func add(
        to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool, dataDir: String, instance: String
    ) {
        router.post("/v1/admin/backup") { request, context -> BackupReport in
            try await context.authorize { AccessPolicy.administerService($0, what: "take backups") }
            let name = request.uri.queryParameters.get("name") ?? MessageClockStamp.now()
            guard !name.isEmpty, name.count <= 64,
                name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }), !name.hasPrefix(".")
            else {
                throw APIError.badRequest("name: use letters, digits, '-', '_' and '.', at most 64", field: "name")
            }
            let folder = URL(fileURLWithPath: dataDir).appendingPathComponent("backups").appendingPathComponent(name)
            let file = folder.appendingPathComponent("\(instance).sqlite")
            do {
                try OwnerOnlyFiles.makeFolder(folder.path)
                // Made empty and owner-only before SQLite writes a page into it; O_EXCL also
                // settles two backups of the same name racing.
                do { try OwnerOnlyFiles.createFile(file.path) } catch OwnerOnlyFileError.exists {
                    throw APIError(.conflict, "backup \(name) of \(instance) exists already")
                }
                // The backup API blocks; keep it off the cooperative thread pool.
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    DispatchQueue.global().async {
                        do {
                            let target = try DatabaseQueue(path: file.path)
                            try database.backup(to: target)
                            try target.close()
                            continuation.resume()
                        } catch {
                            continuation.resume(throwing: error)
                        }
                    }
                }
                let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? 0
                return BackupReport(instance: instance, file: file.path, bytes: size)
            } catch let error as APIError {
                throw error
            } catch {
                throw APIError(.internalServerError, "backup failed: \(error)")
            }
        }
    }
}

/// A sortable UTC timestamp for default backup names, e.g. `20240131T120000Z`.
enum MessageClockStamp {
    static func now() -> String {
        var t = time_t(Date().timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min,
            parts.tm_sec)
    }
}
