import AccessControl
import CarbonModel
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import ServiceKit

/// The collector's HTTP API: batches of activity records and declarations in, verdicts out.
enum CollectorRoutes {
    static func add(
        to router: Router<BasicRequestContext>, ingest: IngestService, database: DatabasePool, maxBodyBytes: Int, gate: IngestGate,
        access: RouteGuard
    ) {
        let paths: [(String, IngestEntity)] = [
            ("/v1/activity", .activity), ("/v1/sites", .sites), ("/v1/products", .products), ("/v1/factors", .factors),
        ]
        for (path, entity) in paths {
            router.post(RouterPath(path)) { request, _ -> Response in
                let action = "POST \(path)"
                let principal: Principal?
                switch await gate.authenticate(.authorization(request.headers[.authorization]), action: action) {
                case .success(let who): principal = who
                case .failure(let refusal): return HTTPSupport.error(.init(code: refusal.status), refusal.message)
                }
                guard let body = try await HTTPSupport.body(of: request, limit: maxBodyBytes) else {
                    return HTTPSupport.error(.contentTooLarge, "request body exceeds \(maxBodyBytes) bytes; split it into smaller batches")
                }
                let declared = request.headers[.contentType]
                let format: BatchFormat
                if let declared, !declared.hasPrefix("application/x-www-form-urlencoded") {
                    guard let known = BatchFormat.from(contentType: declared) else {
                        return HTTPSupport.error(
                            .unsupportedMediaType,
                            "unsupported Content-Type \(declared); use application/json, application/x-ndjson or text/csv")
                    }
                    format = known
                } else {
                    format = BatchFormat.sniff(body)  // curl -d sends form-urlencoded by default
                }
                if let refusal = await gate.authorize(principal, entity: entity, body: body, format: format, action: action) {
                    return HTTPSupport.error(.init(code: refusal.status), refusal.message)
                }
                do {
                    let verdict = try await ingest.ingest(body: body, format: format, entity: entity, channel: "http", submitter: principal)
                    return HTTPSupport.json(verdict, status: verdict.status == .processed ? .ok : .accepted)
                } catch let error as IngestError {
                    var response = HTTPSupport.error(.init(code: error.status), error.description)
                    if let retry = error.retryAfterSeconds { response.headers[.retryAfter] = "\(retry)" }
                    return response
                }
            }
        }
        // A batch another tenant sent is answered exactly like one that does not exist.
        router.get("/v1/batches/{id}") { request, context -> Response in
            let id = try context.parameters.require("id")
            let action = "GET /v1/batches"
            let principal: Principal?
            switch await access.identify(request, action: action) {
            case .admitted(let who): principal = who
            case .refused(let refusal): return refusal
            }
            // The same bytes for every unknown or hidden id: the answer must not echo what differs.
            let notFound = "no batch with this id"
            guard let sender = try await database.read({ try CollectorStore.batchTenant($0, batch: id) }) else {
                return HTTPSupport.error(.notFound, notFound)
            }
            if let principal, let refusal = await access.check(
                principal, action: action, decision: AccessPolicy.readBatch(principal, batchTenant: sender), status: .notFound, body: notFound)
            {
                return refusal
            }
            guard let verdict = try await database.read({ try CollectorStore.verdict($0, batch: id) }) else {
                return HTTPSupport.error(.notFound, notFound)
            }
            return HTTPSupport.json(verdict, status: verdict.status == .processed ? .ok : .accepted)
        }
    }
}
