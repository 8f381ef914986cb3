/// The JSON shape of every HTTP error of every service: what was wrong, and where when a field
/// is to blame. Clients (carbonctl) read it to show the service's reason.
public struct HTTPErrorBody: Codable, Sendable, Hashable {
    public var error: String
    public var field: String?

    public init(error: String, field: String? = nil) {
        self.error = error
        self.field = field
    }
}
