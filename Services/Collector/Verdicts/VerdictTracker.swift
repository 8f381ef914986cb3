import Contracts
import Foundation
import GRDB
import Logging
import Messaging
import Synchronization

/// The one owner of a batch's verdict in the collector: what the preprocessor decided about each
/// record of an ingested batch, from the moment the batch is stored until someone reads it.
///
/// It is the only place that
/// - notes the parts a batch travels as (one message per preprocessor shard) and records each
///   part's verdict as the preprocessors acknowledge it, merging the parts into the batch's
///   verdict once all have answered (`batch_parts`, `batches.verdict`);
/// - answers "what is the verdict of batch X" for a caller, after the caller's tenant check;
/// - lets a sender wait for the verdict: the request that stored a batch (woken when the
///   acknowledgement commits) or a source looking at batches it sent earlier.
///
/// Why one owner: the verdict used to be written, decoded, re-read and awaited in several files,
/// and the rules (a batch is complete when every part answered; an undecodable verdict is
/// reported, never answered as queued; a hidden batch looks like a missing one) were spread
/// with it. The stored bytes and every answer's bytes are as before.
struct VerdictTracker: Sendable {
    // Raw SQL for `batch_parts`: it is written and read once per part of every ingested batch,
    // inside the ingest and acknowledgement transactions that scripts/bench measures.
    let database: DatabasePool
    let logger: Logger
    /// Wakes the requests waiting for the batches they just stored.
    private let board = VerdictBoard()

    init(database: DatabasePool, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    // MARK: Recording

    /// In the batch's transaction: part `part` of `batch` travels as message `messageID`, and the
    /// batch is complete only once that part's verdict came back.
    static func expectPart(_ db: Database, messageID: String, batch: String, part: Int) throws {
        try db.execute(
            sql: "INSERT INTO batch_parts (message_id, batch, part) VALUES (?, ?, ?)", arguments: [messageID, batch, part])
    }

    /// Records every part's verdict the preprocessors acknowledge, in the acknowledgements'
    /// transaction, and wakes the senders of the batches completed once it committed. Runs until
    /// the publisher finishes.
    func recordAcknowledgements(from publisher: OutboxPublisher) async {
        // Handed from the transaction to its commit; reset per transaction, so that verdicts of
        // a transaction that rolled back never reach a sender.
        let completed = Mutex<[BatchVerdict]>([])
        await publisher.runAcknowledgements(
            onAcknowledged: { db, acks in
                completed.withLock { $0.removeAll() }
                for ack in acks {
                    if let verdict = try record(db, messageID: ack.messageID, verdict: ack.result) {
                        completed.withLock { $0.append(verdict) }
                    }
                }
            },
            afterCommit: { _ in
                let verdicts = completed.withLock { done -> [BatchVerdict] in
                    let taken = done
                    done.removeAll()
                    return taken
                }
                for verdict in verdicts where verdict.status == .processed {
                    await board.resolve(batch: verdict.batch, verdict: verdict)
                }
            })
    }

    /// One acknowledged part: its verdict recorded, and the batch's merged verdict when the batch
    /// became complete. A part whose verdict does not decode is logged, not thrown: the
    /// acknowledgement still counts (the preprocessor committed the part); only the batch's
    /// verdict cannot be told, so it stays queued.
    private func record(_ db: Database, messageID: String, verdict: Data) throws -> BatchVerdict? {
        do {
            return try Self.recordPart(db, messageID: messageID, verdict: verdict)
        } catch let unreadable as UnreadableVerdict {
            logger.error(
                "a part's verdict does not decode; the batch's verdict stays queued",
                metadata: ["message_id": "\(messageID)", "batch": "\(unreadable.batch)", "error": "\(unreadable)"])
            return nil
        }
    }

    /// Records a part's verdict (as the preprocessor returned it); when every part of its batch
    /// has answered, stores the merged verdict on the batch and returns it. Throws
    /// `UnreadableVerdict` when a part's verdict does not decode (the part's verdict is stored
    /// all the same, and the batch stays incomplete). nil: an unknown message, or parts still out.
    static func recordPart(_ db: Database, messageID: String, verdict: Data) throws -> BatchVerdict? {
        guard let batch = try String.fetchOne(db, sql: "SELECT batch FROM batch_parts WHERE message_id = ?", arguments: [messageID]) else {
            return nil
        }
        try db.execute(sql: "UPDATE batch_parts SET verdict = ? WHERE message_id = ?", arguments: [verdict, messageID])
        let parts = try Row.fetchAll(db, sql: "SELECT part, verdict FROM batch_parts WHERE batch = ? ORDER BY part", arguments: [batch])
        let decoder = JSONDecoder()
        var verdicts: [BatchVerdict] = []
        for part in parts {
            // A part without a verdict has not answered yet.
            guard let data = part["verdict"] as Data? else { return nil }
            do { verdicts.append(try decoder.decode(BatchVerdict.self, from: data)) } catch {
                throw UnreadableVerdict(batch: batch, part: part["part"], reason: "\(error)")
            }
        }
        guard let merged = BatchVerdict.merging(verdicts) else { return nil }
        try db.execute(sql: "UPDATE batches SET verdict = ? WHERE id = ?", arguments: [WireFrame.encodeJSON(merged), batch])
        // Handed to the waiting sender as is: reading it back would only decode what was just encoded.
        return merged
    }

    // MARK: Answering

    /// The verdict of `batch` (`.queued` while the preprocessor has not answered), or nil when
    /// there is no such batch. `authorize` is given the batch's tenant (nil: the provider's)
    /// before anything else is read, and throws to refuse: a caller who may not see the batch
    /// learns nothing more, not even whether its verdict decodes.
    func verdict(of batch: String, authorize: (_ batchTenant: String?) async throws -> Void) async throws -> BatchVerdict? {
        guard let stored = try await database.read({ db in try StoredVerdict.fetchOne(db, key: batch) }) else { return nil }
        try await authorize(stored.tenant)
        return try stored.verdict(of: batch)
    }

    /// The verdict of `batch` as stored, for the collector itself (no tenant check).
    func verdict(of batch: String) async throws -> BatchVerdict? {
        try await database.read { db in try StoredVerdict.fetchOne(db, key: batch) }?.verdict(of: batch)
    }

    /// The columns of a `batches` row that say what its verdict is.
    private struct StoredVerdict: Decodable, Sendable, FetchableRecord, TableRecord {
        static let databaseTableName = "batches"
        static var databaseSelection: [any SQLSelectable] { [Column("tenant"), Column("entity"), Column("record_count"), Column("verdict")] }

        var tenant: String?
        var entity: String
        var recordCount: Int
        /// The merged verdict as the wire encodes it; nil while parts are out.
        var verdict: Data?

        enum CodingKeys: String, CodingKey {
            case tenant, entity, verdict
            case recordCount = "record_count"
        }

        /// Throws `UnreadableVerdict` when the stored verdict does not decode, rather than
        /// answering `.queued` for a batch that was answered.
        func verdict(of batch: String) throws -> BatchVerdict {
            if let verdict {
                do { return try JSONDecoder().decode(BatchVerdict.self, from: verdict) } catch {
                    throw UnreadableVerdict(batch: batch, part: nil, reason: "\(error)")
                }
            }
            return BatchVerdict(batch: batch, entity: IngestEntity(rawValue: entity) ?? .activity, status: .queued, received: recordCount)
        }
    }

    // MARK: Waiting

    /// Sends a just-stored batch (`send`) and waits up to `milliseconds` for its verdict; nil when
    /// it did not come in time. The batch is expected before it is sent, so a verdict that
    /// arrives before the wait begins is kept rather than missed.
    ///
    /// The publisher may also send the batch before it is expected: its outbox is shared, and a
    /// wake-up meant for another batch (or a restart's drain) takes every stored message. A
    /// verdict that came back that early woke nobody, but it was recorded before any wake-up,
    /// so one read of the store after `expect` finds it: either the verdict was recorded before
    /// that read, or its wake-up comes after `expect` and reaches the board.
    func awaitVerdict(of batch: String, milliseconds: Int, send: () -> Void) async -> BatchVerdict? {
        await board.expect(batch)
        send()
        do {
            if let stored = try await verdict(of: batch), stored.status == .processed {
                await board.forget(batch)
                return stored
            }
        } catch {
            logger.warning(
                "could not read a batch's verdict before waiting for it; waiting for the wake-up",
                metadata: ["message_id": "\(batch)", "error": "\(error)"])
        }
        return await board.wait(for: batch, milliseconds: milliseconds)
    }

    /// Waits until `deadline` for a batch sent earlier (perhaps before a restart, so nobody is
    /// woken for it) to leave `.queued`, looking at the store every 200 ms; answers what is
    /// stored then (nil: no such batch).
    func awaitStoredVerdict(of batch: String, until deadline: Date) async throws -> BatchVerdict? {
        var answer = try await verdict(of: batch)
        while answer?.status == .queued, Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            answer = try await verdict(of: batch)
        }
        return answer
    }
}

/// A verdict in the collector's store that does not decode: a part's, as the preprocessor
/// returned it, or a batch's merged one. Names the batch (and part) so it can be looked at.
struct UnreadableVerdict: Error, CustomStringConvertible {
    var batch: String
    /// nil: the batch's merged verdict.
    var part: Int?
    var reason: String

    var description: String {
        if let part { return "the verdict of part \(part) of batch \(batch) does not decode: \(reason)" }
        return "the stored verdict of batch \(batch) does not decode: \(reason)"
    }
}
