import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `--check-health`: asks a running instance for `GET /health` over a plain socket and exits 0
/// when it answers 200, 1 otherwise — what a container health check runs, with no curl needed.
public enum HealthProbe {
    public static func exitIfRequested(_ options: CommonOptions, port: Int) {
        guard options.checkHealth else { return }
        let host = options.httpHost == "0.0.0.0" ? "127.0.0.1" : options.httpHost
        let healthy = status(host: host, port: port) == 200
        print(healthy ? "healthy" : "unhealthy: no 200 from http://\(host):\(port)/health")
        exit(healthy ? 0 : 1)
    }

    /// The HTTP status of `GET /health`, or nil when nothing answers within two seconds.
    static func status(host: String, port: Int) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return nil }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET /health HTTP/1.0\r\nHost: \(host)\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count > 12 else { return nil }
        // "HTTP/1.1 200 OK"
        let line = String(decoding: buffer[0..<count], as: UTF8.self)
        let parts = line.split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) : nil
    }
}
