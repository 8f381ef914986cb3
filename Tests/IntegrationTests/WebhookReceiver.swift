import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP server on 127.0.0.1 that answers 200 to every request and keeps the bodies it
/// received: the webhook end of the budget-alert test. Blocking sockets on its own thread.
final class WebhookReceiver: Sendable {
    let port: Int
    private let listener: Int32
    private let received = Mutex<[Data]>([])

    init() throws {
        (listener, port) = try LoopbackListener.open()
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var url: String { "http://127.0.0.1:\(port)/alerts" }
    var bodies: [Data] { received.withLock { $0 } }

    func stop() { LoopbackListener.stop(listener) }

    private func serve() {
        LoopbackListener.serve(listener) { body in
            received.withLock { $0.append(body) }
            return "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        }
    }
}
