import Foundation
import GRDB

/// One rejected record as the preprocessor keeps it (a row of `quarantine`): the batch it came
/// in, where in the batch it was, the field and reason it was refused for, and its bytes as
/// received, so nothing sent is lost.
struct QuarantineEntry: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "quarantine"

    /// Assigned by SQLite on insert; orders the quarantine newest first.
    var seq: Int64?
    var batch: String
    var entity: String
    /// `json`, `ndjson` or `csv`: whether `position` is an index (JSON arrays) or a line.
    var format: String
    var position: Int
    var field: String?
    var reason: String
    var raw: Data
    var receivedAt: Int64
    /// The tenant whose credentials sent the batch; nil for the provider's.
    var tenant: String?

    enum Columns {
        static let seq = Column(CodingKeys.seq)
        static let batch = Column(CodingKeys.batch)
        static let tenant = Column(CodingKeys.tenant)
    }

    enum CodingKeys: String, CodingKey {
        case seq, batch, entity, format, position, field, reason, raw, tenant
        case receivedAt = "received_at"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        seq = inserted.rowID
    }

    /// As listed by `GET /v1/quarantine`.
    var listed: QuarantinedRecord {
        QuarantinedRecord(
            batch: batch, entity: entity, line: format == "json" ? nil : position, index: format == "json" ? position : nil, field: field,
            reason: reason, raw: String(decoding: raw, as: UTF8.self), receivedAt: receivedAt)
    }

    /// One page of the quarantine, newest first, of one batch and/or one tenant's batches, with
    /// how many entries match in all.
    static func page(_ db: Database, batch: String?, tenant: String?, limit: Int, offset: Int) throws -> (total: Int, entries: [QuarantineEntry]) {
        var request = QuarantineEntry.all()
        if let batch { request = request.filter(Columns.batch == batch) }
        if let tenant { request = request.filter(Columns.tenant == tenant) }
        return (try request.fetchCount(db), try request.order(Columns.seq.desc).limit(limit, offset: offset).fetchAll(db))
    }
}
