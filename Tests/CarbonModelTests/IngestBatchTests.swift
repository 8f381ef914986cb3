import Foundation
import Testing

@testable import CarbonModel

/// The collector → preprocessor batch body: its lines come back exactly as `split` gave them
/// (empty lines kept), and framing failures are told apart from records.
struct IngestBatchTests {
    @Test func linesAreSplitAtEveryLineFeedKeepingEmptyOnes() {
        let bodies = ["", "\n", "a", "a\n", "\na", "a\n\nb", "{\"x\":1}\n{\"y\":2}\n\n", "\n\n\n"]
        for text in bodies {
            let body = Data(text.utf8)
            let expected = body.split(separator: 0x0A, omittingEmptySubsequences: false).map { Data($0) }
            #expect(IngestBatch.lines(of: body) == expected, "\(text.debugDescription)")
        }
        // A slice of a larger buffer (non-zero start index) splits the same way.
        let whole = Data("xx{\"a\":1}\n{\"b\":2}".utf8)
        #expect(IngestBatch.lines(of: whole.dropFirst(2)) == [Data("{\"a\":1}".utf8), Data("{\"b\":2}".utf8)])
    }

    @Test func bodyRoundTripsMetaAndRecords() throws {
        let meta = IngestBatchMeta(batch: "b1", entity: .activity, format: .ndjson, positions: [1, 2, 3])
        let records = [
            RawRecord(position: 1, json: Data("{\"id\":\"1\"}".utf8)),
            RawRecord(position: 2, json: Data("{\"id\":\n\"2\"}".utf8)),
            RawRecord(position: 3, json: Data("not json".utf8), framingError: "bad line"),
        ]
        let decoded = try #require(IngestBatch.decode(IngestBatch.encode(meta: meta, records: records)))
        #expect(decoded.meta == meta)
        #expect(decoded.records.count == 3)
        #expect(decoded.records[0] == Data("{\"id\":\"1\"}".utf8))
        // Line breaks inside a record travel as spaces.
        #expect(decoded.records[1] == Data("{\"id\": \"2\"}".utf8))
        #expect(IngestBatch.framingFailure(in: decoded.records[0]) == nil)
        #expect(IngestBatch.framingFailure(in: decoded.records[2]) == FramingFailure(error: "bad line", raw: "not json"))
        #expect(IngestBatch.framingFailure(in: Data("{\"$other\":1}".utf8)) == nil)
        #expect(IngestBatch.framingFailure(in: Data("{}".utf8)) == nil)
        #expect(IngestBatch.decode(Data()) == nil)
    }
}
