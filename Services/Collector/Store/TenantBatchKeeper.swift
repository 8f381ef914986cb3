import Foundation
import GRDB
import ServiceKit

/// The collector's part of a tenant's export and erase: the batches the tenant's credentials
/// sent. Export: each batch as received. Erase: the bodies are emptied and the sender forgotten;
/// the batch rows stay (renamed to the pseudonym) so that verdicts and counts still add up.
/// Batches the provider sent on a tenant's behalf are not looked into (their records reach the
/// tenant's export and erase through the preprocessor and the calculator).
struct TenantBatchKeeper: TenantDataKeeper {
    /// A batch with its body (none if the body row is missing), as the export reads them.
    private struct BatchWithBody: Decodable, FetchableRecord {
        var batch: BatchRow
        var body: BatchBodyRow?
    }

    /// The empty blob X'' that erased bodies hold: an empty `Data` would bind as NULL, which the
    /// NOT NULL columns refuse.
    private static var emptyBlob: SQLExpression { cast("".databaseValue, as: .blob) }

    func export(_ db: Database, tenant: String) throws -> JSONValue {
        let batches = try BatchRow.filter(BatchRow.Columns.tenant == tenant)
            .including(optional: BatchRow.body)
            .order(BatchRow.Columns.receivedAt, BatchRow.Columns.id)
            .asRequest(of: BatchWithBody.self)
            .fetchAll(db)
            .map { sent -> JSONValue in
                let batch = sent.batch
                return .object([
                    "batch": .string(batch.id), "entity": .string(batch.entity), "format": .string(batch.format),
                    "channel": .string(batch.channel), "received_at": .integer(batch.receivedAt), "records": .integer(batch.recordCount),
                    "submitter": .string(batch.submitter), "body": .string(String(decoding: sent.body?.body ?? Data(), as: UTF8.self)),
                ])
            }
        return .object(["batches": .array(batches)])
    }

    func erase(_ db: Database, tenant: String, pseudonym: String) throws -> [String: Int] {
        let sent = BatchRow.filter(BatchRow.Columns.tenant == tenant)
        try BatchBodyRow.filter(sent.select(BatchRow.Columns.id).contains(BatchBodyRow.Columns.batch))
            .updateAll(db, BatchBodyRow.Columns.body.set(to: Self.emptyBlob))
        let erased = try sent.updateAll(
            db,
            [BatchRow.Columns.body.set(to: Self.emptyBlob), BatchRow.Columns.submitter.set(to: nil), BatchRow.Columns.tenant.set(to: pseudonym)])
        return ["batches": erased]
    }
}
