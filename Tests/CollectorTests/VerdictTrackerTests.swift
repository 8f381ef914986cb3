import Contracts
import Foundation
import GRDB
import Logging
import Messaging
import Testing

@testable import Collector

/// The collector's `VerdictTracker` in process, on a store made by the collector's own
/// migrations: parts noted and answered, merged into the batch's verdict, read with the
/// tenant check, and waited for.
@Suite final class VerdictTrackerTests {
    let folder: URL
    let database: DatabasePool
    let tracker: VerdictTracker

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cm-verdict-tracker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var migrator = DatabaseMigrator()
        MessageStore.registerMigrations(&migrator)
        CollectorMigrations.register(&migrator)
        database = try DatabasePool(path: folder.appendingPathComponent("collector.sqlite").path)
        try migrator.migrate(database)
        tracker = VerdictTracker(database: database, logger: Logger(label: "test"))
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Stores a batch as `IngestService` does: its row, then one expected part per message id.
    func store(_ batch: String, tenant: String? = nil, records: Int, parts: [(id: String, part: Int)]) throws {
        try database.write { db in
            try CollectorStore.insertBatch(
                db, meta: IngestBatchMeta(batch: batch, entity: .activity, format: .ndjson, positions: [], tenant: tenant), channel: "http",
                body: Data("{}\n".utf8), recordCount: records)
            for part in parts { try VerdictTracker.expectPart(db, messageID: part.id, batch: batch, part: part.part) }
        }
    }

    func answer(_ messageID: String, _ verdict: BatchVerdict) throws -> BatchVerdict? {
        try database.write { try VerdictTracker.recordPart($0, messageID: messageID, verdict: WireFrame.encodeJSON(verdict)) }
    }

    @Test func aBatchOfOnePartIsAnsweredAndStoredAsMerged() async throws {
        try store("b1", records: 2, parts: [("b1", 0)])
        let queued = try #require(try await tracker.verdict(of: "b1"))
        #expect(queued == BatchVerdict(batch: "b1", entity: .activity, status: .queued, received: 2))

        let sent = BatchVerdict(batch: "b1", entity: .activity, status: .processed, received: 2, accepted: 1, repeats: 1)
        #expect(try answer("b1", sent) == sent)
        #expect(try await tracker.verdict(of: "b1") == sent)
        // The stored format: the merged verdict as the wire encodes it.
        let stored = try await database.read { try Data.fetchOne($0, sql: "SELECT verdict FROM batches WHERE id = 'b1'") }
        #expect(stored == WireFrame.encodeJSON(sent))
    }

    @Test func partsOfABatchAreMergedOnceAllAnswered() async throws {
        try store("b2", records: 4, parts: [("b2.p0", 0), ("b2.p1", 1)])
        let first = BatchVerdict(
            batch: "b2", entity: .activity, status: .processed, received: 2, accepted: 1,
            rejected: [RejectedRecord(position: 4, format: .ndjson, field: "qty", reason: "negative")])
        let second = BatchVerdict(
            batch: "b2", entity: .activity, status: .processed, received: 2, revisions: 1,
            rejected: [RejectedRecord(position: 1, format: .ndjson, field: nil, reason: "not JSON")])
        #expect(try answer("b2.p1", second) == nil)
        #expect(try await tracker.verdict(of: "b2")?.status == .queued)
        let merged = try #require(try answer("b2.p0", first))
        #expect(merged.received == 4 && merged.accepted == 1 && merged.revisions == 1)
        #expect(merged.rejected.map(\.line) == [1, 4])
        #expect(try await tracker.verdict(of: "b2") == merged)
    }

    @Test func anUnknownMessageIsIgnored() throws {
        #expect(try answer("nobody", BatchVerdict(batch: "x", entity: .activity, status: .processed, received: 1)) == nil)
    }

    @Test func anUndecodablePartIsReportedAndTheBatchStaysQueued() async throws {
        try store("b3", records: 1, parts: [("b3", 0)])
        #expect(throws: UnreadableVerdict.self) {
            try self.database.write { try VerdictTracker.recordPart($0, messageID: "b3", verdict: Data("not json".utf8)) }
        }
        #expect(try await tracker.verdict(of: "b3")?.status == .queued)
    }

    @Test func theTenantCheckSeesTheSenderFirst() async throws {
        struct Hidden: Error {}
        try store("b4", tenant: "acme", records: 1, parts: [("b4", 0)])
        var asked: [String?] = []
        let own = try await tracker.verdict(of: "b4") { asked.append($0) }
        #expect(own?.status == .queued)
        #expect(asked == ["acme"])
        await #expect(throws: Hidden.self) {
            _ = try await self.tracker.verdict(of: "b4") { _ in throw Hidden() }
        }
        // An unknown batch: no check asked, nothing found.
        let missing = try await tracker.verdict(of: "missing") { _ in throw Hidden() }
        #expect(missing == nil)
    }

    @Test func aWaitWithoutAnswerEndsInNil() async {
        var sent = false
        let verdict = await tracker.awaitVerdict(of: "b5", milliseconds: 10) { sent = true }
        #expect(sent)
        #expect(verdict == nil)
    }

    /// The publisher sent the batch before its sender expected it (a wake-up meant for another
    /// batch), and the verdict came back and was recorded before the wait began: the sender gets
    /// it at once rather than "queued" after the whole timeout.
    @Test func aVerdictRecordedBeforeTheWaitIsAnsweredAtOnce() async throws {
        try store("b7", records: 1, parts: [("b7", 0)])
        let sent = BatchVerdict(batch: "b7", entity: .activity, status: .processed, received: 1, accepted: 1)
        _ = try answer("b7", sent)
        // Without the read after `expect`, nothing would wake this wait: it would end in nil.
        let verdict = await tracker.awaitVerdict(of: "b7", milliseconds: 5_000) {}
        #expect(verdict == sent)
    }

    @Test func aStoredVerdictIsFoundByPolling() async throws {
        try store("b6", records: 1, parts: [("b6", 0)])
        let sent = BatchVerdict(batch: "b6", entity: .activity, status: .processed, received: 1, accepted: 1)
        _ = try answer("b6", sent)
        #expect(try await tracker.awaitStoredVerdict(of: "b6", until: Date()) == sent)
        #expect(try await tracker.awaitStoredVerdict(of: "missing", until: Date()) == nil)
    }
}
