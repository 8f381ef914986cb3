import Logging
import Messaging
import ZeroMQ

/// How a sharded stage (preprocessor, calculator) starts: logging, the messaging runtime, the
/// control endpoint — bound first, so a standby answers status and erase too — and then the
/// placement: its shard and store, claimed or fixed. The stage then opens its store and
/// activates `control` with its own status and handlers.
public struct StageStartup: Sendable {
    public let placement: ReplicaPlacement
    /// This process among the replicas (`CommonOptions.replicaLabel`).
    public let replica: String
    /// Tagged with the placement's instance.
    public let logger: Logger
    public let runtime: MessagingRuntime
    public let curve: CurveConfiguration?
    public let control: ControlResponder

    /// The security of the endpoints this process binds.
    public var serverSecurity: LinkSecurity { curve?.server ?? .plain }
    public var instance: String { placement.instance }
    public var shard: Int? { placement.shard }

    /// Nil when the process was asked to stop while standing by. `requireAuth` is the stage's
    /// `--require-auth`, which `ExposureGuard` asks for before anything is bound.
    public static func begin(
        service: String, common: CommonOptions, sharding: ShardOptions, httpPort: Int, controlPort: Int, requireAuth: Bool
    ) async throws -> StageStartup? {
        let assignment = try sharding.assignment()
        let replica = common.replicaLabel(service: service)
        let startupLogger = ServiceLogging.bootstrap(service: service, instance: replica, level: common.logLevel)
        try ExposureGuard.enforce(service: service, common: common, requireAuth: requireAuth, logger: startupLogger)
        let curve = try common.curve(service: service)
        let runtime = try MessagingRuntime(name: service, logger: startupLogger, curve: curve)
        let control = ControlResponder(service: service, replica: replica)
        do {
            _ = try await ControlEndpoint.start(
                loop: runtime.loop, endpoint: common.bindEndpoint(port: controlPort), source: MessageSource(service: service, instance: replica),
                logger: startupLogger, security: curve?.server ?? .plain, responder: control)
        } catch {
            throw ServiceStartupError("\(service) could not open its control endpoint: \(error)")
        }
        guard
            let placement = try await ReplicaPlacement.place(
                service: service, assignment: assignment, common: common, httpPort: httpPort, replica: replica, logger: startupLogger)
        else { return nil }
        var logger = startupLogger
        logger[metadataKey: "instance"] = "\(placement.instance)"
        return StageStartup(placement: placement, replica: replica, logger: logger, runtime: runtime, curve: curve, control: control)
    }

    /// The stage's metrics, labelled with the instance (and the replica when it differs), with
    /// `carbonmeter_replica_shard` set.
    public func metrics(service: String) -> ServiceMetrics {
        let metrics = ServiceMetrics(service: service, instance: instance, replica: replica == instance ? nil : replica)
        metrics.gauge("carbonmeter_replica_shard", help: "The shard this replica owns (-1: all)").set(to: Double(shard ?? -1))
        return metrics
    }
}
