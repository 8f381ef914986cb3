import CarbonModel
/// Who a record belongs to and who may write it. A record is `(owner, source, id)`: the tenant
/// whose credentials sent it, or the provider. A tenant's credentials write only usage records
/// of their own tenant, under their own ownership; so reusing another owner's `source` and `id`
/// makes a record of one's own and touches nothing of theirs, and the answer is the one any
/// new record gets — it tells nothing about whether the other record exists.
public enum RecordOwner {
    /// The owner as stored beside a record: the tenant's name, or "" for the provider.
    public static func key(_ tenant: String?) -> String { tenant ?? "" }

    /// Why a record sent with `tenant`'s credentials (nil: the provider's) may not be stored;
    /// nil when it may.
    public static func refusal(of record: NormalizedRecord, sentBy tenant: String?) -> RecordRejection? {
        guard let tenant else { return nil }
        guard record.kind == .usage else {
            return RecordRejection(field: "kind", reason: "a tenant's credentials may write only usage records; \(record.kind.rawValue) records are the provider's")
        }
        guard record.tenant == tenant else {
            return RecordRejection(field: "tenant", reason: "a tenant's credentials may write only usage records of their own tenant")
        }
        return nil
    }

    /// Whether `tenant` may take over a record stored before owners were recorded (held as the
    /// provider's): only a usage record naming that tenant, the only kind its credentials could
    /// ever have written. Re-sending such a record then revises it instead of counting it twice.
    public static func mayAdopt(_ stored: NormalizedRecord, by tenant: String) -> Bool {
        stored.kind == .usage && stored.tenant == tenant
    }
}
