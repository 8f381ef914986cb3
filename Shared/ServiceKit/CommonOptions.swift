import ArgumentParser
import Foundation

/// Options every service takes. Each flag falls back to an environment variable, then to a
/// default that works out of the box on one machine.
public struct CommonOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: "Folder holding this service's SQLite store (env CM_DATA_DIR).")
    public var dataDir: String = Env.string("CM_DATA_DIR", "./data")

    @Option(
        name: .long,
        help: "Name of this replica; its store is <data-dir>/<instance>.sqlite (env CM_INSTANCE). With --shard auto, only the replica's label: the store is the claimed shard's.")
    public var instance: String?

    @Option(name: .long, help: "Address the HTTP server binds (env CM_HTTP_HOST).")
    public var httpHost: String = Env.string("CM_HTTP_HOST", "127.0.0.1")

    @Option(name: .long, help: "Host part of the ZeroMQ endpoints this service binds (env CM_BIND_HOST).")
    public var bindHost: String = Env.string("CM_BIND_HOST", "127.0.0.1")

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (env CM_LOG_LEVEL).")
    public var logLevel: String = Env.string("CM_LOG_LEVEL", "info")

    @Option(
        help: """
            Folder of CURVE keys: <service>.key (secret, mode 0600), the services' <name>.pub, and authorized/*.pub. When set, \
            every link between services is encrypted and only allow-listed keys get in (env CM_CURVE_DIR; see README, Security).
            """)
    public var curveDir: String = Env.string("CM_CURVE_DIR", "")

    @Flag(
        inversion: .prefixedNo,
        help: """
            Start even though HTTP or ZeroMQ listens on an address other than the loopback without --require-auth (or, \
            for ZeroMQ, without CURVE); logged as a warning at every start (env CM_INSECURE_OPEN=1).
            """)
    public var insecureOpen: Bool = Env.bool("CM_INSECURE_OPEN", false)

    @Flag(help: "Ask the running instance's /health and exit 0 if it is healthy, 1 if not (for container health checks).")
    public var checkHealth = false

    public init() {}

    public mutating func validate() throws {
        do { try Env.checkSwitches(["CM_INSECURE_OPEN"]) } catch { throw ValidationError(error.description) }
        // Every numeric flag of every service reads its default through `Env.int`.
        do { try Env.checkNumbers() } catch { throw ValidationError(error.description) }
    }

    /// The instance name, defaulting to `<service>-1` (env CM_INSTANCE).
    public func instanceName(service: String) -> String {
        instance ?? Env.optionalString("CM_INSTANCE") ?? "\(service)-1"
    }

    /// What names this process among the replicas of its service in logs and metrics: the
    /// instance when one is given, else `<service>@<host>:<pid>` (a container's host name is its id).
    public func replicaLabel(service: String) -> String {
        instance ?? Env.optionalString("CM_INSTANCE") ?? "\(service)@\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }

    public func storePath(service: String) -> String {
        URL(fileURLWithPath: dataDir).appendingPathComponent("\(instanceName(service: service)).sqlite").path
    }

    public func bindEndpoint(port: Int) -> String { "tcp://\(bindHost):\(port)" }

    /// The service's CURVE setup when `--curve-dir` is given, nil when links run in the clear.
    /// Throws, naming the file, when a key is missing, malformed or open to other users.
    public func curve(service: String) throws(CurveConfigurationError) -> CurveConfiguration? {
        guard !curveDir.isEmpty else { return nil }
        return try CurveConfiguration.load(directory: curveDir, service: service)
    }
}
