import Foundation

/// Whether a TCP port on 127.0.0.1 is free to bind or has a listener, for the test targets that
/// hand out ports (the integration suite, the in-process service tests).
public enum LoopbackProbe {
    /// True when nothing holds `port` on loopback right now.
    public static func bindable(_ port: Int) -> Bool { onLoopback(port) { fd, address, size in bind(fd, address, size) } }

    /// True when something listens on `port` on loopback.
    public static func listening(_ port: Int) -> Bool { onLoopback(port) { fd, address, size in connect(fd, address, size) } }

    /// Runs `operation` (bind or connect) on a fresh TCP socket with 127.0.0.1:`port`; true on success.
    private static func onLoopback(_ port: Int, _ operation: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { operation(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
