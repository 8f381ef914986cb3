import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// What every CarbonMeter service runs once it is built: its messaging runtime, its workers
/// (delivery loops, recalculation, acknowledgements, …) and its HTTP server, under one
/// `ServiceGroup` that drains on SIGTERM. A service's build function assembles the parts; its
/// `main` runs the shell, and so do in-process tests (without signal handlers, stopping it by
/// a graceful shutdown of the group that runs it).
///
/// The order is the shutdown order reversed: the HTTP server stops taking work first, the
/// workers finish what they hold, and the runtime closes the sockets last.
public struct ServiceShell: Service {
    public let name: String
    private let runtime: MessagingRuntime
    private let workers: [any Service]
    private let responder: RouterResponder<ServiceRequestContext>
    private let host: String
    private let port: Int
    private let signals: [UnixSignal]
    private let logger: Logger
    /// Held for the life of the service (a store's lock file, say).
    private let keepAlive: (any Sendable)?

    /// `signals`: those that start a graceful shutdown; none in tests.
    public init(
        name: String, runtime: MessagingRuntime, workers: [any Service], router: Router<ServiceRequestContext>, host: String, port: Int,
        signals: [UnixSignal] = [.sigterm, .sigint], logger: Logger, keepAlive: (any Sendable)? = nil
    ) {
        self.name = name
        self.runtime = runtime
        self.workers = workers
        self.responder = router.buildResponder()
        self.host = host
        self.port = port
        self.signals = signals
        self.logger = logger
        self.keepAlive = keepAlive
    }

    public func run() async throws {
        let name = self.name, host = self.host, port = self.port, logger = self.logger
        let app = Application(
            responder: responder, configuration: .init(address: .hostname(host, port: port), serverName: "carbonmeter-\(name)"),
            onServerRunning: { _ in logger.info("\(name) ready", metadata: ["http": "\(host):\(port)"]) },
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [runtime] + workers + [app], gracefulShutdownSignals: signals, logger: logger))
        try await group.run()
        withExtendedLifetime(keepAlive) {}
    }
}
