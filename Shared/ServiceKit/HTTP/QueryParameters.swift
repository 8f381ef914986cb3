import Hummingbird

/// The query parameters of a request as plain strings, the form routes and their parsers take
/// (the last value of a repeated name, as Hummingbird's own lookup answers).
public enum QueryParameters {
    public static func of(_ request: Request) -> [String: String] {
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
        return parameters
    }
}
