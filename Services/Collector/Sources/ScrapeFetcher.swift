import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Why a scrape got no metrics: the endpoint could not be reached, answered with an error
/// status, or answered with something that is not text.
struct ScrapeError: Error, CustomStringConvertible {
    var description: String
}

/// Fetches a metrics endpoint over HTTP (GET, the Prometheus text format asked for).
struct ScrapeFetcher: Sendable {
    let url: URL
    let timeoutSeconds: Double

    func fetch() async throws(ScrapeError) -> String {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeoutSeconds)
        request.setValue("text/plain;version=0.0.4;q=0.9, application/openmetrics-text;q=0.5", forHTTPHeaderField: "Accept")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeoutSeconds
        configuration.timeoutIntervalForResource = timeoutSeconds
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let data: Data
        let response: URLResponse
        do { (data, response) = try await session.data(for: request) } catch {
            throw ScrapeError(description: "cannot scrape \(url.absoluteString): \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else { throw ScrapeError(description: "\(url.absoluteString) did not answer over HTTP") }
        guard http.statusCode == 200 else { throw ScrapeError(description: "\(url.absoluteString) answered HTTP \(http.statusCode)") }
        guard let text = String(data: data, encoding: .utf8) else { throw ScrapeError(description: "\(url.absoluteString) answered with bytes that are not UTF-8") }
        return text
    }
}
