import Foundation
import GRDB

/// The inbox invariant, owned here and nowhere else: a delivered message's work and the record
/// that the message was processed commit in one transaction; a message processed before is not
/// worked on again but answered with the result recorded the first time; and a delivery is
/// acknowledged only after that commit. A crash before the commit loses nothing (the producer
/// re-sends), and a re-delivery after it changes nothing.
public enum Inbox {
    /// What became of a message.
    public enum Outcome<Value: Sendable>: Sendable {
        /// Worked on now: the work's value, and the result recorded for the producer.
        case processed(Value, result: Data)
        /// Processed before: the result recorded then.
        case duplicate(result: Data)

        /// The result the producer is answered with.
        public var result: Data {
            switch self {
            case .processed(_, let result), .duplicate(let result): result
            }
        }

        /// The work's value, nil for a duplicate.
        public var value: Value? {
            if case .processed(let value, _) = self { return value }
            return nil
        }
    }

    /// Inside the caller's write transaction: runs `work` unless the message `header` names was
    /// processed before, and records it as processed with the result `work` returns.
    public static func once<Value: Sendable>(
        _ db: Database, _ header: EnvelopeHeader, work: (Database) throws -> (value: Value, result: Data)
    ) throws -> Outcome<Value> {
        if let previous = try MessageStore.processedResult(db, messageID: header.id) { return .duplicate(result: previous) }
        let (value, result) = try work(db)
        try MessageStore.recordProcessed(db, header: header, result: result)
        return .processed(value, result: result)
    }

    /// Processes `delivery` with `work` in one write transaction (``once(_:_:work:)``) and,
    /// once it has committed, acknowledges it with the result. When anything throws, nothing
    /// is committed and the delivery is not acknowledged: the producer sends it again.
    public static func process<Value: Sendable>(
        _ delivery: Delivery, in database: DatabasePool, work: @escaping @Sendable (Database) throws -> (value: Value, result: Data)
    ) async throws -> Outcome<Value> {
        let header = delivery.header
        let outcome = try await database.write { db in try once(db, header, work: work) }
        delivery.acknowledge(outcome.result)
        return outcome
    }
}
