import AccessControl
import CarbonModel
import RecordParsing
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The collector's HTTP API: batches of activity records and declarations in, verdicts out.
enum CollectorRoutes {
    /// `POST /v1/activity`, `/v1/sites`, `/v1/products`, `/v1/factors`, behind the ingest
    /// gate's guard (which also knows the older API-key check).
    static func addIngest(to router: some RouterMethods<ServiceRequestContext>, ingest: IngestService, maxBodyBytes: Int, gate: IngestGate) {
        let paths: [(String, IngestEntity)] = [
            ("/v1/activity", .activity), ("/v1/sites", .sites), ("/v1/products", .products), ("/v1/factors", .factors),
        ]
        for (path, entity) in paths {
            router.post(RouterPath(path)) { request, context -> JSONResponse<BatchVerdict> in
                let caller = try context.requireCaller()
                let body = try await HTTPSupport.requireBody(of: request, limit: maxBodyBytes, hint: "split it into smaller batches")
                let format = try Self.format(of: request, body: body, use: "application/json, application/x-ndjson or text/csv")
                do {
                    let verdict = try await ingest.submit(
                        body: body, format: format, entity: entity, channel: "http", caller: caller.principal, action: caller.action, gate: gate)
                    return JSONResponse(verdict, status: HTTPResponse.Status(code: verdict.answerStatusCode))
                } catch let error as IngestError {
                    throw error.apiError
                }
            }
        }
    }

    /// `POST /v1/factors/hourly?source=…[&activity=electricity|residual_electricity][&version=1][&unit=gCO2e/kWh]`:
    /// a grid-intensity time series (CSV or NDJSON, one row per zone and hour) stored as factors
    /// of one-hour validity (``HourlyFactorSeries``); rows that cannot be factors are quarantined
    /// with their line, the others stored. Behind the ingest gate, as factors are.
    static func addFactorSeries(to router: some RouterMethods<ServiceRequestContext>, ingest: IngestService, maxBodyBytes: Int, gate: IngestGate) {
        router.post("/v1/factors/hourly") { request, context -> JSONResponse<BatchVerdict> in
            let caller = try context.requireCaller()
            let body = try await HTTPSupport.requireBody(of: request, limit: maxBodyBytes, hint: "split the series into smaller files")
            // Factors are the provider's whatever the rows hold: decided before the body is read further.
            try await gate.authorize(caller.principal, entity: .factors, body: Data(), format: .ndjson, action: caller.action)
            let format = try Self.format(of: request, body: body, use: "text/csv, application/x-ndjson or application/json")
            let query = request.uri.queryParameters
            let options = HourlyFactorSeries.Options(
                activity: query["activity"].map(String.init) ?? "electricity", source: query["source"].map(String.init) ?? "",
                version: query["version"].map(String.init) ?? "1", unit: query["unit"].map(String.init))
            let records: [RawRecord]
            do throws(HourlyFactorSeries.Invalid) {
                records = try HourlyFactorSeries.records(in: body, format: format, options: options)
            } catch {
                throw APIError.badRequest(error.description)
            }
            do {
                let verdict = try await ingest.ingest(
                    body: body, format: format, entity: .factors, channel: "http", submitter: caller.principal, framed: records)
                return JSONResponse(verdict, status: HTTPResponse.Status(code: verdict.answerStatusCode))
            } catch let error as IngestError {
                throw error.apiError
            }
        }
    }

    /// The body's format: the declared Content-Type, or sniffed from the body when none is
    /// declared or it is form-urlencoded (what `curl -d` sends by default); an unknown type is
    /// a 415 saying which to `use`.
    private static func format(of request: Request, body: Data, use: String) throws(APIError) -> BatchFormat {
        guard let declared = request.headers[.contentType], !declared.hasPrefix("application/x-www-form-urlencoded") else {
            return BatchFormat.sniff(body)
        }
        guard let known = BatchFormat.from(contentType: declared) else {
            throw APIError(.unsupportedMediaType, "unsupported Content-Type \(declared); use \(use)")
        }
        return known
    }

    /// `GET /v1/batches/{id}`: a batch's verdict. A batch another tenant sent is answered
    /// exactly like one that does not exist.
    static func addVerdicts(to router: some RouterMethods<ServiceRequestContext>, verdicts: VerdictTracker) {
        router.get("/v1/batches/{id}") { _, context -> JSONResponse<BatchVerdict> in
            let id = try context.parameters.require("id")
            // The same bytes for every unknown or hidden id: the answer must not echo what differs.
            let notFound = "no batch with this id"
            let found = try await verdicts.verdict(of: id) { sender in
                try await context.authorize(status: .notFound, body: notFound) { AccessPolicy.readBatch($0, batchTenant: sender) }
            }
            guard let verdict = found else { throw APIError.notFound(notFound) }
            return JSONResponse(verdict, status: HTTPResponse.Status(code: verdict.answerStatusCode))
        }
    }
}
