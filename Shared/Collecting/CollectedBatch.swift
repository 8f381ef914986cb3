import CarbonModel
import RecordParsing
import Contracts
import Foundation

/// One batch produced by a `Collector`: the body in one of the public formats, and optionally a
/// delivery key that makes its delivery happen at most once.
public struct CollectedBatch: Sendable {
    public var body: Data
    public var format: BatchFormat
    public var entity: IngestEntity
    /// The collector that produced it (its `name`), recorded as the batch's channel.
    public var source: String
    /// When set, the collector's store records this key in the same transaction as the batch; a
    /// later batch with the same key is not stored again (`DeliveryOutcome.alreadyDelivered`).
    /// A file drop uses the file's content hash, so a file is ingested once even across restarts.
    public var deliveryKey: String?

    public init(body: Data, format: BatchFormat, entity: IngestEntity = .activity, source: String, deliveryKey: String? = nil) {
        self.body = body
        self.format = format
        self.entity = entity
        self.source = source
        self.deliveryKey = deliveryKey
    }
}

/// What became of a delivered batch.
public enum DeliveryOutcome: Sendable, Hashable {
    /// Stored; the verdict is final (`processed`) or pending (`queued`).
    case stored(BatchVerdict)
    /// A batch with the same delivery key was stored before, as batch `batch`; nothing was stored now.
    case alreadyDelivered(batch: String)
}

/// Why a batch was refused as a whole: the HTTP-like status and the reason (e.g. 400, a body
/// that cannot be split into records). Nothing of it was stored.
public struct BatchRefused: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var reason: String

    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "refused (\(status)): \(reason)" }
}

/// Where collectors deliver their batches: the collector service's ingest path. Throws
/// `BatchRefused` for a batch refused as a whole, other errors when it could not be stored.
public protocol BatchSink: Sendable {
    func deliver(_ batch: CollectedBatch) async throws -> DeliveryOutcome
}
