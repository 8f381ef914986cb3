import CarbonModel
import Foundation
import Logging
import Messaging
import ServiceKit
import ZeroMQ

/// The ZeroMQ ingest endpoint for collectors written by others: a request of type
/// `ingest.<entity>.v1` whose body is a JSON array or NDJSON (CSV when the header's first
/// byte says so) gets the same verdict an HTTP POST would.
enum ZeroMQIngestEndpoint {
    static func start(loop: ZMQEventLoop, endpoint: String, source: MessageSource, logger: Logger, ingest: IngestService) async throws
        -> RequestServer
    {
        let server = RequestServer(loop: loop, endpoint: endpoint, source: source, logger: logger) { request in
            if request.header.type == statusRequestType {
                return .json(["service": "collector", "endpoint": "ingest"])
            }
            guard let entity = IngestEntity(requestType: request.header.type) else {
                let known = IngestEntity.allCases.map(\.requestType).joined(separator: ", ")
                return .failure(400, "unknown request type \(request.header.type); expected one of \(known)")
            }
            do {
                let verdict = try await ingest.ingest(
                    body: request.body, format: BatchFormat.sniff(request.body), entity: entity, channel: "zmq")
                var reply = Reply.json(verdict)
                reply.status = verdict.status == .processed ? 200 : 202
                return reply
            } catch let error as IngestError {
                return .failure(error.status, error.description)
            } catch {
                logger.error("ingest over ZeroMQ failed", metadata: ["error": "\(error)"])
                return .failure(500, "could not store the batch: \(error)")
            }
        }
        try await server.start()
        return server
    }
}
