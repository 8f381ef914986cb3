import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One service's HTTP API as `carbonctl` calls it: a base URL and an optional bearer token.
struct ServiceClient: Sendable {
    let service: ServiceName
    let baseURL: URL
    let token: String?

    /// An HTTP answer: status, body and the headers `carbonctl` looks at.
    struct Reply: Sendable {
        var status: Int
        var body: Data
        var retryAfter: String?
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// GET or POST `path` (with its query already encoded). Network failures become
    /// `CtlError.unreachable`, naming the service and URL.
    func send(
        _ method: String, _ path: String, query: [URLQueryItem] = [], body: Data? = nil, contentType: String? = nil,
        timeout: TimeInterval = 120
    ) async throws -> Reply {
        guard var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false) else {
            throw CtlError.usage("cannot build a URL from \(baseURL) and \(path)")
        }
        if !query.isEmpty { components.queryItems = query }
        guard let url = components.url else { throw CtlError.usage("cannot build a URL from \(baseURL) and \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = timeout
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            let http = response as? HTTPURLResponse
            return Reply(status: http?.statusCode ?? 0, body: data, retryAfter: http?.value(forHTTPHeaderField: "Retry-After"))
        } catch {
            throw CtlError.unreachable("\(service.rawValue) at \(url.absoluteString): \(error.localizedDescription)")
        }
    }

    /// GET that must answer 200; anything else becomes `CtlError.refused` with the service's words.
    func get(_ path: String, query: [URLQueryItem] = []) async throws -> Data {
        let reply = try await send("GET", path, query: query)
        guard reply.status == 200 else { throw CtlError.refused(service: service.rawValue, status: reply.status, message: reply.text) }
        return reply.body
    }
}
