import AccessControl
import CarbonModel
import RecordParsing
import Contracts
import Foundation
import Logging
import Messaging
import ServiceKit
import ZeroMQ

/// The ZeroMQ ingest endpoint for collectors written by others (protocol `CM01`, specified in
/// docs/ingest-protocol.md): a request of type `ingest.<entity>.v1` whose body is a JSON array,
/// NDJSON or CSV (told apart by the first byte) gets the same verdict an HTTP POST would.
/// When credentials are required, the header's `api_key` (an API key or an access token) is
/// checked like HTTP's bearer.
enum ZeroMQIngestEndpoint {
    static func start(
        loop: ZMQEventLoop, endpoint: String, source: MessageSource, logger: Logger, ingest: IngestService, gate: IngestGate,
        maxBodyBytes: Int, security: LinkSecurity = .plain
    ) async throws -> RequestServer {
        let server = RequestServer(loop: loop, endpoint: endpoint, source: source, logger: logger, security: security) { request in
            if request.header.type == statusRequestType {
                return .json(["service": "collector", "endpoint": "ingest"])
            }
            guard let entity = IngestEntity(requestType: request.header.type) else {
                let known = IngestEntity.allCases.map(\.requestType).joined(separator: ", ")
                return .failure(400, "unknown request type \(request.header.type); expected one of \(known)")
            }
            let action = "zmq \(request.header.type)"
            let principal: Principal?
            do throws(APIError) {
                principal = try await gate.authenticate(.headerField(request.header.apiKey), action: action)
            } catch {
                return .failure(Int(error.status.code), error.message)
            }
            if request.body.count > maxBodyBytes {
                return .failure(413, "batch of \(request.body.count) bytes exceeds \(maxBodyBytes) bytes; split it into smaller batches")
            }
            do {
                let verdict = try await ingest.submit(
                    body: request.body, format: BatchFormat.sniff(request.body), entity: entity, channel: "zmq", caller: principal,
                    action: action, gate: gate)
                var reply = Reply.json(verdict)
                reply.status = verdict.answerStatusCode
                return reply
            } catch let error as APIError {
                return .failure(Int(error.status.code), error.message)
            } catch let error as IngestError {
                // The retry delay travels in the body too, for clients that do not parse the message.
                var reply = Reply.failure(Int(error.status.code), error.description)
                if let retry = error.retryAfterSeconds { reply.body = WireFrame.encodeJSON(["retry_after_seconds": retry]) }
                return reply
            } catch {
                logger.error("ingest over ZeroMQ failed", metadata: ["error": "\(error)"])
                return .failure(500, "could not store the batch: \(error)")
            }
        }
        try await server.start()
        return server
    }
}
