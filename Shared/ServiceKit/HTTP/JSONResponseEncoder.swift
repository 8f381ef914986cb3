import Foundation
import Hummingbird

/// How route results that are `ResponseEncodable` become JSON answers: sorted keys and
/// unescaped slashes, like every other JSON the suite writes, so the same value always gives
/// the same bytes. A value JSON cannot hold (a non-finite number) is answered 500 saying so,
/// never an empty body that reads like success.
public struct JSONResponseEncoder: ResponseEncoder, Sendable {
    public init() {}

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        HTTPSupport.json(value)
    }
}
