@testable import Contracts
import Foundation
import Testing

@testable import CarbonModel
@testable import RecordParsing

/// The collector → preprocessor batch body: meta and records come back as encoded (line
/// splitting itself is `ByteLinesTests`), and framing failures are told apart from records.
struct IngestBatchTests {
    @Test func bodyRoundTripsMetaAndRecords() throws {
        let meta = IngestBatchMeta(batch: "b1", entity: .activity, format: .ndjson, positions: [1, 2, 3])
        let records = [
            RawRecord(position: 1, json: Data("{\"id\":\"1\"}".utf8)),
            RawRecord(position: 2, json: Data("{\"id\":\n\"2\"}".utf8)),
            RawRecord(position: 3, json: Data("not json".utf8), framingError: "bad line"),
        ]
        let decoded = try IngestBatch.decode(try IngestBatch.encode(meta: meta, records: records))
        #expect(decoded.meta == meta)
        #expect(decoded.records.count == 3)
        #expect(decoded.records[0] == Data("{\"id\":\"1\"}".utf8))
        // Line breaks inside a record travel as spaces.
        #expect(decoded.records[1] == Data("{\"id\": \"2\"}".utf8))
        #expect(IngestBatch.framingFailure(in: decoded.records[0]) == nil)
        #expect(IngestBatch.framingFailure(in: decoded.records[2]) == FramingFailure(error: "bad line", raw: "not json"))
        #expect(IngestBatch.framingFailure(in: Data("{\"$other\":1}".utf8)) == nil)
        #expect(IngestBatch.framingFailure(in: Data("{}".utf8)) == nil)
        #expect(throws: IngestBatchError.noMetaLine) { try IngestBatch.decode(Data()) }
    }

    /// A body whose first line is not a batch meta is refused saying so, not read as nothing.
    @Test func anUnreadableMetaLineIsAnErrorNamingIt() {
        #expect {
            try IngestBatch.decode(Data("{\"batch\":1}\n{}".utf8))
        } throws: { error in
            guard case .unreadableMeta(let reason)? = error as? IngestBatchError else { return false }
            return !reason.isEmpty && "\(error)".contains("meta line")
        }
    }
}
