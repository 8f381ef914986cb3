import CarbonModel
import Foundation

/// One record cut out of a batch body, not yet validated. The collector keeps where it came
/// from so that an error reply can point the client at "line 7" or "index 3".
public struct RawRecord: Sendable, Hashable, Codable {
    /// 1-based line number where the record starts for NDJSON and CSV; 0-based element index
    /// for a JSON array (0 for a body that is a single object).
    public var position: Int
    /// The bytes of one JSON object; when the record could not be framed, the raw text it was
    /// cut from (so it can still be logged or echoed back).
    public var json: Data
    /// Non-nil when the record could not be framed, e.g. `"line 4: not a JSON object"`. The
    /// message already names the position.
    public var framingError: String?

    public init(position: Int, json: Data, framingError: String? = nil) {
        self.position = position
        self.json = json
        self.framingError = framingError
    }
}
