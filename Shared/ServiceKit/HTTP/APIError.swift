import Contracts
import HTTPTypes
import Hummingbird

/// A request refused with a reason: the HTTP status and the JSON body every CarbonMeter error
/// has, `{"error": "…", "field": "…"}` (`field` when one request field is to blame). Routes and
/// the authentication middleware throw it; Hummingbird writes it as the answer.
public struct APIError: HTTPResponseError, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// What was wrong, in words a caller can act on.
    public var message: String
    /// The query parameter or body field to blame, when there is one.
    public var field: String?
    /// Extra headers for the answer (`Retry-After`, say).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers
    }

    /// 400 naming the field at fault.
    public static func badRequest(_ message: String, field: String? = nil) -> APIError { APIError(.badRequest, message, field: field) }
    /// 404.
    public static func notFound(_ message: String, field: String? = nil) -> APIError { APIError(.notFound, message, field: field) }
    /// 413 for a body over `limit` bytes.
    public static func bodyTooLarge(limit: Int, hint: String = "") -> APIError {
        APIError(.contentTooLarge, "request body exceeds \(limit) bytes\(hint.isEmpty ? "" : "; \(hint)")")
    }

    public var description: String { "\(status.code) \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = HTTPSupport.json(HTTPErrorBody(error: message, field: field), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}
