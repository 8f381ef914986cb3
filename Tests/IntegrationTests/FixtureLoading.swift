import Foundation
import Messaging
import Testing
import ZeroMQ

extension SuiteProcess {
    /// Posts the fixture's declarations and facility records (and, with `usage`, tenant A's and
    /// B's usage) as the provider — with `token` when the suite requires authentication —
    /// expecting each batch to be processed whole.
    func loadFixture(usage: Bool, token: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        var batches = [
            ("/v1/sites", Fixture.sites, "application/json"), ("/v1/products", Fixture.products, "application/json"),
            ("/v1/factors", Fixture.factors, "application/x-ndjson"), ("/v1/activity", Fixture.facility, "application/x-ndjson"),
        ]
        if usage { batches += [("/v1/activity", Fixture.usageCSV, "text/csv"), ("/v1/activity", Fixture.usageZMQ, "application/json")] }
        for (path, body, type) in batches {
            let (status, data) = try await post(.collector, path, body: Data(body.utf8), contentType: type, headers: bearer(token))
            #expect(status == 200, "\(path): \(String(decoding: data, as: UTF8.self))", sourceLocation: sourceLocation)
        }
    }
}

/// A ZeroMQ client of the collector's ingest endpoint, on an event loop of its own, as a
/// collector written by others would connect. `close()` when done.
struct IngestClient {
    let context: ZMQContext
    let loop: ZMQEventLoop
    let client: RequestClient

    init(_ suite: SuiteProcess, name: String) async throws {
        context = try ZMQContext()
        loop = try ZMQEventLoop(context: context, name: name)
        loop.start()
        client = RequestClient(
            loop: loop, endpoint: "tcp://127.0.0.1:\(suite.ports.collectorIngest)", source: MessageSource(service: "test", instance: name))
        try await client.start()
    }

    /// Sends an activity batch with `key` (if any); the status, the parsed body and the error text.
    func ingest(_ body: String, key: String? = nil) async throws -> (status: Int, verdict: [String: Any], error: String) {
        let reply = try await client.request(
            type: "ingest.activity.v1", body: Data(body.utf8), timeoutMilliseconds: 60_000, acceptErrors: true, apiKey: key)
        return (reply.header.status ?? 200, (try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any]) ?? [:], reply.header.error ?? "")
    }

    func close() async {
        await loop.shutdown()
        context.terminate()
    }
}
