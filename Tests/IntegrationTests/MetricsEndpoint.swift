import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP server on 127.0.0.1 that plays a script of metrics responses, one per request:
/// a text exposition, or a 503 (a scrape that fails). After the script it keeps answering the
/// last exposition. Blocking sockets on its own thread: enough for one scraper.
final class MetricsEndpoint: Sendable {
    enum Response: Sendable {
        case metrics(String)
        case unavailable
    }

    let port: Int
    private let listener: Int32
    private let script: [Response]
    private let served = Mutex(0)

    init(script: [Response]) throws {
        self.script = script
        (listener, port) = try LoopbackListener.open()
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// Requests answered so far.
    var requests: Int { served.withLock { $0 } }

    var url: String { "http://127.0.0.1:\(port)/metrics" }

    func stop() { LoopbackListener.stop(listener) }

    private func serve() {
        // Every request is a scrape: its content does not matter, only its turn in the script.
        LoopbackListener.serve(listener) { _ in
            let index = served.withLock { value -> Int in
                defer { value += 1 }
                return value
            }
            let response: Response =
                index < script.count ? script[index] : script.last(where: { if case .metrics = $0 { true } else { false } }) ?? .unavailable
            switch response {
            case .metrics(let body):
                return "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
            case .unavailable:
                let body = "scrape target restarting\n"
                return "HTTP/1.1 503 Service Unavailable\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
            }
        }
    }
}
