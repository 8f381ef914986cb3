import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Secure by default off the loopback: whether a service may start, given the addresses it
/// listens on and how they are protected. On the loopback only local users can reach a
/// service, which is how a developer runs the suite; anywhere else anyone who reaches the
/// address could read and write without credentials, so the service needs `--require-auth`,
/// and CURVE on every ZeroMQ endpoint, unless an operator says `--insecure-open` explicitly.
public enum ExposureRule {
    /// One address a service listens on.
    public struct Listener: Sendable, Equatable {
        /// What listens, for messages: "HTTP", "ZeroMQ endpoints", "ZeroMQ ingest".
        public var name: String
        public var host: String
        /// ZeroMQ only: whether CURVE is on, and the flag that turns it on. Nil for HTTP, whose
        /// encryption is a TLS proxy's job (README, Security).
        public var curve: Curve?

        public init(name: String, host: String, curve: Curve? = nil) {
            self.name = name
            self.host = host
            self.curve = curve
        }
    }

    /// A ZeroMQ listener's CURVE setting and the flag an operator sets to turn it on.
    public struct Curve: Sendable, Equatable {
        public var on: Bool
        public var flag: String

        public init(on: Bool, flag: String) {
            self.on = on
            self.flag = flag
        }
    }

    /// A protection a listener off the loopback lacks.
    public struct Gap: Sendable, Equatable, CustomStringConvertible {
        public var listener: String
        public var host: String
        /// The flag (and its variable) that closes the gap.
        public var missing: String

        public var description: String { "\(listener) listens on \(host), not the loopback, without \(missing)" }
    }

    /// What the service does at start.
    public enum Decision: Sendable, Equatable {
        /// Only the loopback, or everything off it protected.
        case start
        /// `--insecure-open`: start, and warn with these gaps (empty when nothing is open).
        case startInsecure([Gap])
        /// Refuse to start, naming every gap.
        case refuse([Gap])
    }

    public static let requireAuthFlag = "--require-auth (env CM_REQUIRE_AUTH=1)"
    public static let curveDirFlag = "CURVE: --curve-dir (env CM_CURVE_DIR)"
    public static let insecureOpenFlag = "--insecure-open (env CM_INSECURE_OPEN=1)"

    public static func decide(listeners: [Listener], requireAuth: Bool, insecureOpen: Bool) -> Decision {
        var gaps: [Gap] = []
        for listener in listeners where !isLoopback(listener.host) {
            if !requireAuth { gaps.append(Gap(listener: listener.name, host: listener.host, missing: requireAuthFlag)) }
            if let curve = listener.curve, !curve.on { gaps.append(Gap(listener: listener.name, host: listener.host, missing: curve.flag)) }
        }
        if insecureOpen { return .startInsecure(gaps) }
        return gaps.isEmpty ? .start : .refuse(gaps)
    }

    /// Whether `host` is a loopback address: `localhost`, 127.0.0.0/8, `::1` (with or without
    /// brackets) or an IPv4-mapped 127.x. Anything else — `0.0.0.0`, `::`, `*`, an interface or
    /// host name — may be reachable from elsewhere, so it counts as open.
    public static func isLoopback(_ host: String) -> Bool {
        var text = host.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text.lowercased() == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes == [UInt8](repeating: 0, count: 15) + [1] { return true }
        let mapped = [UInt8](repeating: 0, count: 10) + [0xff, 0xff]
        return Array(bytes[0..<12]) == mapped && bytes[12] == 127
    }
}
