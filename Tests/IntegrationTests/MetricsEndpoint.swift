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

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            // Read the request head (we ignore its content: every request is a scrape).
            var buffer = [UInt8](repeating: 0, count: 4096)
            var head = [UInt8]()
            while !head.containsHeadEnd {
                let count = read(client, &buffer, buffer.count)
                if count <= 0 { break }
                head += buffer[0..<count]
            }
            let index = served.withLock { value -> Int in
                defer { value += 1 }
                return value
            }
            let response: Response = index < script.count ? script[index] : script.last(where: { if case .metrics = $0 { true } else { false } }) ?? .unavailable
            let text: String
            switch response {
            case .metrics(let body):
                text = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
            case .unavailable:
                let body = "scrape target restarting\n"
                text = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
            }
            let bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                if written <= 0 { break }
                offset += written
            }
            close(client)
        }
    }
}

extension [UInt8] {
    fileprivate var containsHeadEnd: Bool {
        count >= 4 && (0...(count - 4)).contains { self[$0] == 13 && self[$0 + 1] == 10 && self[$0 + 2] == 13 && self[$0 + 3] == 10 }
    }
}
