import CarbonModel
/// Why a record or declaration was rejected: the field at fault and the reason, which together
/// read like `value: must not be negative (got -3)`. Kept with the record in quarantine and
/// returned to the sender.
public struct RecordRejection: Error, Codable, Sendable, Hashable, CustomStringConvertible {
    /// The JSON field at fault; nil only when the record as a whole could not be read.
    public var field: String?
    public var reason: String

    public init(field: String?, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// `field: reason`, or just the reason when no field is at fault.
    public var message: String {
        guard let field else { return reason }
        return "\(field): \(reason)"
    }

    public var description: String { message }
}
