import CarbonModel
import Contracts
import Foundation
import GRDB
import Messaging
import RecordParsing
import Testing

@testable import Preprocessor

/// The preprocessor's service logic in process, on a store of its own made by the service's own
/// migrations: batches in, records, quarantine, repeats, revisions and outbox messages out.
@Suite final class BatchProcessorTests {
    let folder: URL
    let database: DatabasePool
    let processor = BatchProcessor(source: MessageSource(service: "preprocessor", instance: "test"), calculatorShards: 1)

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cm-batch-processor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // As the service opens its store: the messaging tables, then its own.
        var migrator = DatabaseMigrator()
        MessageStore.registerMigrations(&migrator)
        PreprocessorMigrations.register(&migrator)
        database = try DatabasePool(path: folder.appendingPathComponent("preprocessor.sqlite").path)
        try migrator.migrate(database)
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Frames `body` as the collector does and runs it through the processor in one transaction.
    func send(_ body: String, entity: IngestEntity, format: BatchFormat = .ndjson, framed: [RawRecord]? = nil) throws -> BatchVerdict {
        let records = try framed ?? BatchFraming.records(in: Data(body.utf8), format: format)
        let batch = MessageID.make()
        let message = try IngestBatch.encode(
            meta: IngestBatchMeta(batch: batch, entity: entity, format: format, positions: records.map(\.position)), records: records)
        return try database.write { db in
            var registry = try PreprocessorStore.loadRegistry(db)
            return try processor.process(
                db, header: EnvelopeHeader(id: batch, type: IngestBatch.messageType, source: MessageSource(service: "collector", instance: "t")),
                body: message, registry: &registry)
        }
    }

    @Test func recordsLandRepeatsAndRevisionsAreToldApartAndBadOnesAreQuarantined() throws {
        #expect(try send(#"[{"site":"s1","region":"r1","grid":"G1"},{"site":"s2","region":"r2","grid":"G2"}]"#, entity: .sites, format: .json).accepted == 2)
        let meters = """
            {"source":"m","id":"1","kind":"facility.electricity","site":"s1","start":"2024-01-01T00:00:00Z","end":"2024-01-01T01:00:00Z","value":10,"unit":"kWh"}
            {"source":"m","id":"c","kind":"facility.certificate","site":"s1","grid":"G2","start":"2024-01-01T00:00:00Z","end":"2024-01-01T01:00:00Z","value":4,"unit":"kWh"}
            {"source":"m","id":"x","kind":"facility.certificate","site":"s1","grid":"NOWHERE","start":"2024-01-01T00:00:00Z","end":"2024-01-01T01:00:00Z","value":4,"unit":"kWh"}
            {"source":"m","id":"2","kind":"facility.electricity","site":"s9","start":"2024-01-01T00:00:00Z","end":"2024-01-01T01:00:00Z","value":10,"unit":"kWh"}
            """
        let first = try send(meters, entity: .activity)
        #expect(first.accepted == 2 && first.rejected.count == 2, "\(first)")
        #expect(Set(first.rejected.compactMap(\.field)) == ["grid", "site"])
        let outboxAfterFirst = try database.read { try MessageStore.outboxCount($0) }
        #expect(outboxAfterFirst >= 1, "the accepted records are on their way to the calculator")

        // The same lines again: repeats, nothing new for the calculator; the bad lines are quarantined again.
        let again = try send(meters, entity: .activity)
        #expect(again.repeats == 2 && again.accepted == 0 && again.rejected.count == 2)
        // A new value under the same (source, id): a revision.
        let revised = try send(
            #"{"source":"m","id":"1","kind":"facility.electricity","site":"s1","start":"2024-01-01T00:00:00Z","end":"2024-01-01T01:00:00Z","value":11,"unit":"kWh"}"#,
            entity: .activity)
        #expect(revised.revisions == 1)

        let (certificate, quarantined) = try database.read { db in
            (try String.fetchOne(db, sql: "SELECT canonical FROM records WHERE source = 'm' AND id = 'c'"), try QuarantineEntry.fetchCount(db))
        }
        // The certificate keeps the grid it was produced in, as its substance.
        #expect(certificate?.contains(#""substance":"G2""#) == true, "\(certificate ?? "none")")
        #expect(quarantined == 4)
    }

    @Test func anHourlyFactorSeriesIsCheckedAgainstTheGridsSitesAreIn() throws {
        _ = try send(#"[{"site":"s1","region":"r1","grid":"DE"}]"#, entity: .sites, format: .json)
        let csv = "timestamp,zone,value\n2024-01-01T00:00:00Z,DE,300\n2024-01-01T00:00:00Z,FR,50\n2024-01-01T00:30:00Z,DE,300\n"
        let framed = try HourlyFactorSeries.records(
            in: Data(csv.utf8), format: .csv, options: HourlyFactorSeries.Options(source: "test", unit: "gCO2e/kWh"))
        let verdict = try send(csv, entity: .factors, format: .csv, framed: framed)
        #expect(verdict.accepted == 1, "\(verdict)")
        let reasons = Dictionary(uniqueKeysWithValues: verdict.rejected.map { ($0.line ?? -1, $0.reason) })
        #expect(reasons[3]?.contains("unknown zone") == true, "\(reasons)")
        #expect(reasons[4]?.contains("not on the hour") == true, "\(reasons)")
        let stored = try database.read { try String.fetchAll($0, sql: "SELECT factor FROM factors") }
        #expect(stored == ["electricity.DE.2024-01-01T00"])
    }
}
