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

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 4096)
            var bytes = [UInt8]()
            var bodyStart: Int?
            var contentLength = 0
            while true {
                if bodyStart == nil, let end = headEnd(bytes) {
                    bodyStart = end
                    let head = String(decoding: bytes[0..<end], as: UTF8.self).lowercased()
                    for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
                        contentLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
                if let start = bodyStart, bytes.count - start >= contentLength { break }
                let count = read(client, &buffer, buffer.count)
                if count <= 0 { break }
                bytes += buffer[0..<count]
            }
            if let start = bodyStart {
                let body = Data(bytes[start..<min(bytes.count, start + contentLength)])
                received.withLock { $0.append(body) }
            }
            let reply = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
            _ = reply.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            close(client)
        }
    }

    private func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i + 4 }
        return nil
    }
}
