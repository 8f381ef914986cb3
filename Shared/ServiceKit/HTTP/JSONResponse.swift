import HTTPTypes
import Hummingbird

/// A route's answer that is a value of the domain (which knows nothing of HTTP) written as
/// JSON, with a status other than 200 where the route needs one (202 for a batch still queued).
public struct JSONResponse<Value: Encodable & Sendable>: ResponseGenerator, Sendable {
    public var value: Value
    public var status: HTTPResponse.Status

    public init(_ value: Value, status: HTTPResponse.Status = .ok) {
        self.value = value
        self.status = status
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        HTTPSupport.json(value, status: status)
    }
}
