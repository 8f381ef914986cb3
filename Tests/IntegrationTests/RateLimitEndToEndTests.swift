import Foundation
import Messaging
import Testing
import ZeroMQ

/// Per-key ingest rate limits against the real services: a key that has spent its burst gets
/// 429 with `Retry-After` over HTTP and an error reply with `retry_after_seconds` over ZeroMQ;
/// another key is not affected; waiting the announced delay is enough.
@Suite(.serialized) struct RateLimitEndToEndTests {
    /// `count` usage records of tenant A with ids `<prefix>-0…`.
    static func usage(_ count: Int, _ prefix: String) -> Data {
        let records = (0..<count).map {
            #"{"source":"rate","id":"\#(prefix)-\#($0)","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"2024-01-04T00:00:00Z","end":"2024-01-04T01:00:00Z","value":1,"unit":"vCPU-h"}"#
        }
        return Data("[\(records.joined(separator: ","))]".utf8)
    }

    @Test func aKeyBeyondItsRateIsToldWhenToRetry() async throws {
        // 0.25 records/s, bursts of 5: a full burst takes 20 s to come back. On a loaded machine a
        // step may still come later than that (each batch waits for its verdict); then the bucket
        // has refilled, the batch passes and empties it, and the next one must be refused.
        var arguments = SuiteProcess.secured()
        arguments[.collector, default: []] += ["--ingest-rate", "0.25", "--ingest-burst", "5"]
        let suite = try SuiteProcess(extraArguments: arguments)
        try await suite.start()
        let admin = try await suite.loginToken("admin", try suite.bootstrapPassword())
        suite.credential = admin
        var keys: [String] = []
        for _ in 0..<2 {
            let (status, body) = try await suite.administer("/v1/api-keys", ["role": "collector", "tenant": "A"], token: admin)
            #expect(status == 201)
            keys.append(try #require(body["key"] as? String))
        }
        func send(_ key: String, _ count: Int, _ prefix: String) async throws -> (Int, String, [String: String]) {
            let (status, data, headers) = try await suite.requestWithHeaders(
                port: suite.httpPort(.collector), "/v1/activity", method: "POST", body: Self.usage(count, prefix),
                headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"])
            return (status == 202 ? 200 : status, String(decoding: data, as: UTF8.self), headers)
        }

        let (first, firstBody, _) = try await send(keys[0], 5, "k1-a")
        #expect(first == 200, "\(firstBody)")
        let (tooLarge, tooLargeBody, _) = try await send(keys[0], 6, "k1-b")
        #expect(tooLarge == 413, "\(tooLargeBody)")
        // t s after the first batch, 0.25 × t tokens: 5 records need (5 − 0.25 t) / 0.25 = 20 − t s.
        var (limited, limitedBody, limitedHeaders) = try await send(keys[0], 5, "k1-c")
        if limited == 200 { (limited, limitedBody, limitedHeaders) = try await send(keys[0], 5, "k1-c2") }
        #expect(limited == 429, "\(limitedBody)")
        let retryAfter = try #require(limitedHeaders["retry-after"].flatMap { Int($0) }, "\(limitedHeaders)")
        #expect((1...20).contains(retryAfter))
        #expect(limitedBody.contains("rate limit"))

        // The ZeroMQ endpoint: an error reply with the delay in the header's error and the body.
        let context = try ZMQContext()
        let loop = try ZMQEventLoop(context: context, name: "rate-client")
        loop.start()
        let client = RequestClient(
            loop: loop, endpoint: "tcp://127.0.0.1:\(suite.ports.collectorIngest)", source: MessageSource(service: "test", instance: "t1"))
        try await client.start()
        // On a slow machine the bucket may have refilled since the HTTP refusal: a batch of 5 then
        // passes, empties it again, and the next one is refused (5 tokens take 20 s to return).
        var reply = try await client.request(
            type: "ingest.activity.v1", body: Self.usage(5, "k1-d"), timeoutMilliseconds: 15_000, acceptErrors: true, apiKey: keys[0])
        if reply.header.status == 200 {
            reply = try await client.request(
                type: "ingest.activity.v1", body: Self.usage(5, "k1-e"), timeoutMilliseconds: 15_000, acceptErrors: true, apiKey: keys[0])
        }
        #expect(reply.header.status == 429, "\(reply.header.error ?? "")")
        #expect(reply.header.error?.contains("rate limit") == true)
        let delay = try #require((try JSONSerialization.jsonObject(with: reply.body) as? [String: Any])?["retry_after_seconds"] as? Int)
        #expect((1...20).contains(delay))

        // Another key has a bucket of its own.
        let (other, otherBody, _) = try await send(keys[1], 5, "k2-a")
        #expect(other == 200, "\(otherBody)")

        // Waiting the announced delay is enough.
        try await Task.sleep(for: .seconds(delay))
        let zmqAgain = try await client.request(
            type: "ingest.activity.v1", body: Self.usage(5, "k1-d"), timeoutMilliseconds: 15_000, acceptErrors: true, apiKey: keys[0])
        #expect([200, 202].contains(zmqAgain.header.status ?? 200), "\(zmqAgain.header.error ?? "")")
        await loop.shutdown()
        context.terminate()

        let metrics = String(decoding: try await suite.get(.collector, "/metrics").1, as: UTF8.self)
        #expect(metrics.contains("carbonmeter_collector_refused_rate_total"))
        await suite.stopAll()
    }
}
