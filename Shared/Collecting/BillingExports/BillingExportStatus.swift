/// Where a billing export stands: the answer of `GET /v1/sources/{source}/exports/{name}`, which
/// `carbonctl ingest --source` polls. `state` is `waiting` (in the folder), a phase of
/// ``ExportProgress`` with its `progress`, `done` with the export's `note`, or `failed` with
/// the `reason`.
public struct BillingExportStatus: Codable, Sendable, Hashable {
    public var source: String
    public var export: String
    public var state: String
    public var progress: ExportProgress?
    public var note: BillingExportNote?
    public var reason: String?

    public init(
        source: String, export: String, state: String, progress: ExportProgress? = nil, note: BillingExportNote? = nil, reason: String? = nil
    ) {
        self.source = source
        self.export = export
        self.state = state
        self.progress = progress
        self.note = note
        self.reason = reason
    }
}
