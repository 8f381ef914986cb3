import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A listening TCP socket on 127.0.0.1 with a port the kernel picks, for the small HTTP servers
/// tests run (a metrics endpoint to scrape, a webhook to receive alerts).
enum LoopbackListener {
    static func open() throws -> (descriptor: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SuiteError("socket() failed: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw SuiteError("cannot listen on 127.0.0.1: errno \(errno)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (fd, Int(UInt16(bigEndian: actual.sin_port)))
    }

    /// Accepts connections until `descriptor` is closed; for each, reads one request (head and
    /// a `Content-Length` body), sends what `respond` returns for the body, and closes it.
    /// Blocking sockets on the calling thread: enough for the one client a test has.
    static func serve(_ descriptor: Int32, respond: (Data) -> String) {
        while true {
            let client = accept(descriptor, nil, nil)
            guard client >= 0 else { return }
            let reply = Array(respond(readBody(client)).utf8)
            var offset = 0
            while offset < reply.count {
                let written = reply[offset...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                if written <= 0 { break }
                offset += written
            }
            close(client)
        }
    }

    static func stop(_ descriptor: Int32) {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }

    private static func readBody(_ client: Int32) -> Data {
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
        guard let start = bodyStart else { return Data() }
        return Data(bytes[start..<min(bytes.count, start + contentLength)])
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i + 4 }
        return nil
    }
}
