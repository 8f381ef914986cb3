import CarbonModel
/// Withdraws a record from a calculator replica because its revision `revision` moved it to a
/// region another replica owns. Sent as a JSON array, `activity.retraction.v1`.
public struct RecordRetraction: Codable, Sendable, Hashable {
    public static let messageType = "activity.retraction.v1"

    public var source: String
    public var id: String
    /// The record's owner (``NormalizedRecord/owner``); nil for the provider's records.
    public var owner: String?
    /// The revision that replaced the withdrawn version.
    public var revision: Int
    /// The region the withdrawn version belonged to (it decides the replica).
    public var region: String

    public init(source: String, id: String, owner: String? = nil, revision: Int, region: String) {
        self.source = source
        self.id = id
        self.owner = owner
        self.revision = revision
        self.region = region
    }
}
