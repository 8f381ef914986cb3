import CarbonModel
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RecordParsing

/// Small helpers for JSON and CSV responses and bounded request bodies.
public enum HTTPSupport {
    /// `value` as JSON; a value JSON cannot hold (a non-finite number) is answered 500 saying
    /// so, never a `{}` that reads like an empty success.
    public static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return raw(try encoder.encode(value), contentType: "application/json", status: status)
        } catch {
            return unencodable(error)
        }
    }

    /// A `JSONSerialization` object (sorted keys, pretty-printed) as the answer, or 500 naming
    /// why it has no JSON form.
    public static func jsonObject(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        guard JSONSerialization.isValidJSONObject(object) else {
            return unencodable("it holds a value JSON cannot represent (a non-finite number or a non-JSON type)")
        }
        do {
            return raw(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]), contentType: "application/json", status: status)
        } catch {
            return unencodable(error)
        }
    }

    /// A `JSONSerialization` object (sorted keys, pretty-printed) as bytes, or 500 naming why it
    /// has no JSON form; for answers built as objects inside a database read, where `Any`
    /// cannot leave the transaction.
    public static func jsonObjectData(_ object: Any) throws(APIError) -> Data {
        guard JSONSerialization.isValidJSONObject(object) else {
            throw APIError(.internalServerError, "the answer could not be written as JSON: it holds a value JSON cannot represent (a non-finite number or a non-JSON type)")
        }
        do {
            return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        } catch {
            throw APIError(.internalServerError, "the answer could not be written as JSON: \(error)")
        }
    }

    /// A JSON body holding one `T` or an array of them; 400 naming what did not fit.
    public static func decodeOneOrMany<T: Decodable>(_ type: T.Type, from body: Data, expected: String) throws(APIError) -> [T] {
        let first = body.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if first == UInt8(ascii: "[") { return try decode([T].self, from: body, expected: expected) }
        return [try decode(T.self, from: body, expected: expected)]
    }

    private static func unencodable(_ reason: Any) -> Response {
        let body = HTTPErrorBody(error: "the answer could not be written as JSON: \(reason)")
        // An error body of two strings always encodes; the literal is there so that no answer is ever empty.
        let data = (try? JSONEncoder().encode(body)) ?? Data(#"{"error":"the answer could not be written as JSON"}"#.utf8)
        return raw(data, contentType: "application/json", status: .internalServerError)
    }

    public static func raw(_ data: Data, contentType: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Throws 400 when a key appears twice in one object of a JSON body, naming the key.
    /// Parsers disagree on which occurrence counts, so such a body is refused rather than
    /// checked one way and used another.
    public static func refuseRepeatedKeys(in body: Data) throws(APIError) {
        guard let key = JSONDuplicateKey.first(in: body) else { return }
        throw APIError.badRequest("the key \"\(key)\" appears more than once in one object; each key may appear only once", field: key)
    }

    /// Collects the request body; nil means it exceeded `limit` (answer 413).
    public static func body(of request: Request, limit: Int) async throws -> Data? {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Data(buffer: buffer)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return nil
        } catch is NIOTooManyBytesError {
            return nil
        }
    }

    /// Collects the request body, or throws 413 when it exceeds `limit` (`hint` says what to do).
    public static func requireBody(of request: Request, limit: Int, hint: String = "") async throws -> Data {
        guard let body = try await body(of: request, limit: limit) else { throw APIError.bodyTooLarge(limit: limit, hint: hint) }
        return body
    }

    /// A JSON request body decoded as `T`, repeated keys refused; 400 naming what did not fit.
    public static func decode<T: Decodable>(_ type: T.Type, from body: Data, expected: String) throws(APIError) -> T {
        try refuseRepeatedKeys(in: body)
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.badRequest("\(key.stringValue): required; the body must be \(expected)", field: key.stringValue)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError.badRequest("\(field.isEmpty ? "body" : field): wrong type; the body must be \(expected)", field: field.isEmpty ? nil : field)
        } catch {
            throw APIError.badRequest("the body must be \(expected)")
        }
    }
}

/// `/health` and `/metrics`, which every service serves, outside authentication.
public enum ServiceRoutes {
    public static func add(
        to router: some RouterMethods<ServiceRequestContext>, metrics: ServiceMetrics, status: @escaping @Sendable () async -> StatusReport
    ) {
        router.get("/health") { _, _ -> Response in
            let report = await status()
            return HTTPSupport.json(report, status: report.healthy ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ -> Response in
            HTTPSupport.raw(Data(metrics.render().utf8), contentType: "text/plain; version=0.0.4")
        }
    }
}
