import CarbonModel
/// What a batch sent to the collector declares or reports.
public enum IngestEntity: String, Codable, Sendable, CaseIterable {
    case activity
    case sites
    case products
    case factors

    /// The request type of the ZeroMQ ingest endpoint for this entity, e.g. `ingest.activity.v1`.
    public var requestType: String { "ingest.\(rawValue).v1" }

    public init?(requestType: String) {
        guard requestType.hasPrefix("ingest."), requestType.hasSuffix(".v1") else { return nil }
        self.init(rawValue: String(requestType.dropFirst("ingest.".count).dropLast(".v1".count)))
    }
}
