import Foundation
import Testing

@testable import Messaging

@Suite struct EnvelopeTests {
    @Test func headerRoundTripsWithSnakeCaseKeysAndNonASCII() throws {
        let header = EnvelopeHeader(
            type: "ingest.batch.v1", source: MessageSource(service: "collector", instance: "收集器-1"), tenant: "租户A",
            correlationId: "c-1", causationId: "p-0")
        let data = WireFrame.encodeJSON(header)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"created_at\""))
        #expect(text.contains("\"correlation_id\":\"c-1\""))
        #expect(try WireFrame.decodeHeader(data) == header)
    }

    @Test func unknownHeaderFieldsAreTolerated() throws {
        let json = #"{"id":"1","type":"x.v1","source":{"service":"s","instance":"i"},"created_at":"2024-01-01T00:00:00.000Z","future":{"a":1}}"#
        let header = try WireFrame.decodeHeader(Data(json.utf8))
        #expect(header.type == "x.v1")
        #expect(header.tenant == nil)
    }

    @Test func foreignClientsMayLeaveOutCreatedAtAndSource() throws {
        let json = #"{"id":"r-1","type":"ingest.activity.v1","api_key":"cmk_a_b"}"#
        let header = try WireFrame.decodeHeader(Data(json.utf8))
        #expect(header.id == "r-1")
        #expect(header.apiKey == "cmk_a_b")
        #expect(header.source.service == "unknown")
        #expect(header.createdAt.hasSuffix("Z") && header.createdAt.count == 24, "\(header.createdAt)")
        let partial = #"{"id":"r-2","type":"x.v1","source":{"service":"mine"}}"#
        #expect(try WireFrame.decodeHeader(Data(partial.utf8)).source == MessageSource(service: "mine", instance: ""))
        // Without an id there is nothing to correlate the reply with: refused.
        #expect(throws: WireError.self) { try WireFrame.decodeHeader(Data(#"{"type":"x.v1"}"#.utf8)) }
        // A header we write carries no api_key field at all.
        let own = WireFrame.encodeJSON(EnvelopeHeader(type: "t.v1", source: MessageSource(service: "a", instance: "b")))
        #expect(!String(decoding: own, as: UTF8.self).contains("api_key"))
    }

    @Test func framesCarrySignatureCommandHeaderAndBody() throws {
        let header = EnvelopeHeader(type: "t.v1", source: MessageSource(service: "a", instance: "b"))
        let body = Data(repeating: 7, count: 2_000_000)
        let frames = WireFrame.encode(.message, header: header, body: body)
        #expect(frames.count == 4)
        let decoded = try WireFrame.decode(frames, routed: false)
        #expect(decoded.command == .message)
        #expect(decoded.body == body)
        #expect(try WireFrame.decodeHeader(decoded.header).id == header.id)
    }

    @Test func routedFramesKeepIdentityAndREQDelimiter() throws {
        let frames = [Data("peer".utf8), Data()] + WireFrame.encode(.request, header: Data("{}".utf8))
        let decoded = try WireFrame.decode(frames, routed: true)
        #expect(decoded.route == [Data("peer".utf8), Data()])
        #expect(decoded.command == .request)
    }

    @Test func foreignFramesAreRejectedWithAReason() {
        #expect(throws: WireError.self) { try WireFrame.decode([Data("HTTP".utf8), Data("GET".utf8), Data()], routed: false) }
        #expect(throws: WireError.self) { try WireFrame.decode([Data("CM01".utf8), Data("DANCE".utf8), Data()], routed: false) }
        #expect(throws: WireError.self) { try WireFrame.decode([Data("CM01".utf8)], routed: false) }
        #expect(throws: WireError.self) { try WireFrame.decodeHeader(Data("not json".utf8)) }
    }

    @Test func messageIDsAreTimeOrderedAndUnique() {
        let earlier = MessageID.make(now: Date(timeIntervalSince1970: 1_700_000_000))
        let later = MessageID.make(now: Date(timeIntervalSince1970: 1_700_000_001))
        #expect(earlier < later)
        #expect(earlier.count == 28)
        #expect(Set((0..<1000).map { _ in MessageID.make() }).count == 1000)
        #expect(MessageID.derived(from: "abc", stage: "p") == MessageID.derived(from: "abc", stage: "p"))
    }

    @Test func timestampsKeepMilliseconds() {
        #expect(MessageClock.timestamp(Date(timeIntervalSince1970: 1_704_067_200.123)) == "2024-01-01T00:00:00.123Z")
    }
}
