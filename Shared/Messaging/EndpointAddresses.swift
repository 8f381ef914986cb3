import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An endpoint a consumer connects to: a plain ZeroMQ endpoint (`tcp://host:port`), or
/// `dns+tcp://name:port`, meaning every IPv4 address the name resolves to — how a consumer
/// reaches each replica of a scaled service behind one DNS name (a compose service scaled with
/// `--scale`, a Kubernetes headless Service). ZeroMQ itself connects to the first address only.
public enum EndpointAddresses: Sendable, Equatable {
    case fixed(String)
    case everyAddress(host: String, port: Int)

    public static let dnsPrefix = "dns+tcp://"

    /// Parses one entry of a comma-separated endpoint list.
    public static func parse(_ text: String) throws(EndpointAddressError) -> EndpointAddresses {
        let entry = text.trimmingCharacters(in: .whitespaces)
        guard entry.lowercased().hasPrefix(dnsPrefix) else { return .fixed(entry) }
        let rest = entry.dropFirst(dnsPrefix.count)
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port),
            colon > rest.startIndex
        else {
            throw EndpointAddressError(endpoint: entry, reason: "expected dns+tcp://<name>:<port>")
        }
        return .everyAddress(host: String(rest[..<colon]), port: port)
    }

    /// Parses a comma-separated list, skipping empty entries.
    public static func parseList(_ list: String) throws(EndpointAddressError) -> [EndpointAddresses] {
        var parsed: [EndpointAddresses] = []
        for entry in list.split(separator: ",") where !entry.trimmingCharacters(in: .whitespaces).isEmpty {
            parsed.append(try parse(String(entry)))
        }
        return parsed
    }

    /// True when the addresses behind this endpoint can change while the service runs.
    public var isResolved: Bool {
        if case .everyAddress = self { return true }
        return false
    }

    /// The ZeroMQ endpoints to connect to now, sorted; a name that does not resolve (yet) gives
    /// none — the caller asks again later.
    public func endpoints() -> [String] {
        switch self {
        case .fixed(let endpoint): return [endpoint]
        case .everyAddress(let host, let port):
            return Self.ipv4Addresses(of: host).map { "tcp://\($0):\(port)" }
        }
    }

    /// Every distinct IPv4 address of `host`, sorted.
    public static func ipv4Addresses(of host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses = Set<String>()
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let sockaddr = info.pointee.ai_addr, info.pointee.ai_family == AF_INET {
                var address = sockaddr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                if inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count)) != nil {
                    addresses.insert(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                }
            }
            cursor = info.pointee.ai_next
        }
        return addresses.sorted()
    }
}

/// An endpoint that cannot be parsed, naming it.
public struct EndpointAddressError: Error, CustomStringConvertible, Sendable {
    public var endpoint: String
    public var reason: String
    public var description: String { "bad endpoint \"\(endpoint)\": \(reason)" }
}
