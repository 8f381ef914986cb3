import Contracts
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// Where one replica of a stage stands once it has started: the shard it owns (nil: all of
/// them), its instance name, and its store, locked against every other process.
public struct ReplicaPlacement: Sendable {
    public var shard: Int?
    public var instance: String
    public var storePath: String
    public var lock: StoreLock

    /// The store and instance of a shard when replicas claim shards: `<service>-<k+1>`, the
    /// names `scripts/up` gives replicas with a fixed shard, so both ways find the same stores.
    public static func instanceName(service: String, shard: Int) -> String { "\(service)-\(shard + 1)" }

    /// Places the replica: for `.all` and `.fixed`, locks its store or fails at once (another
    /// process has it open); for `.claimed`, takes the first shard no live replica holds and,
    /// while every shard is held, stands by — `/health` and `/metrics` answer on `httpPort`
    /// (health says `standby`), and it takes over the first shard whose replica dies.
    /// Returns nil when the process is asked to stop while standing by.
    public static func place(
        service: String, assignment: ShardAssignment, common: CommonOptions, httpPort: Int, replica: String,
        pollMilliseconds: Int = 500, logger: Logger
    ) async throws -> ReplicaPlacement? {
        switch assignment {
        case .all, .fixed:
            let instance = common.instanceName(service: service)
            let storePath = common.storePath(service: service)
            guard let lock = try StoreLock.tryAcquire(storePath: storePath) else {
                throw ServiceStartupError(
                    "another process holds \(storePath) (lock \(StoreLock.lockPath(forStore: storePath))): two replicas must never share a store; give each its own --instance or --data-dir, or use --shard auto")
            }
            let shard: Int? = if case .fixed(let index) = assignment { index } else { nil }
            return ReplicaPlacement(shard: shard, instance: instance, storePath: storePath, lock: lock)
        case .claimed(let count):
            if let placement = try claimFree(service: service, count: count, dataDir: common.dataDir) { return placement }
            logger.notice(
                "standing by: every shard is held by a live replica; taking over the first one whose replica stops",
                metadata: ["shards": "\(count)", "data_dir": "\(common.dataDir)", "replica": "\(replica)"])
            let placement = try await standBy(
                service: service, count: count, common: common, httpPort: httpPort, replica: replica, pollMilliseconds: pollMilliseconds, logger: logger)
            if let placement {
                logger.notice("took over a shard", metadata: ["shard": "\(placement.shard ?? 0)", "store": "\(placement.storePath)", "replica": "\(replica)"])
            }
            return placement
        }
    }

    /// The first of `count` shards whose store no live process holds, locked; nil when all are held.
    public static func claimFree(service: String, count: Int, dataDir: String) throws -> ReplicaPlacement? {
        for shard in 0..<count {
            let instance = instanceName(service: service, shard: shard)
            let storePath = URL(fileURLWithPath: dataDir).appendingPathComponent("\(instance).sqlite").path
            if let lock = try StoreLock.tryAcquire(storePath: storePath) {
                return ReplicaPlacement(shard: shard, instance: instance, storePath: storePath, lock: lock)
            }
        }
        return nil
    }

    private static func standBy(
        service: String, count: Int, common: CommonOptions, httpPort: Int, replica: String, pollMilliseconds: Int, logger: Logger
    ) async throws -> ReplicaPlacement? {
        let claimed = ClaimedPlacement()
        let metrics = ServiceMetrics(service: service, instance: replica)
        metrics.gauge("carbonmeter_replica_standby", help: "1 while this replica waits for a shard to take over").set(to: 1)
        let standbyReport = StatusReport(service: service, instance: replica, details: ["role": "standby", "shards": "\(count)"])
        // One responder, no router: a standby serves /health and /metrics and turns every other
        // path away with a reason, rather than a 404 that would read as "no such route".
        let responder = CallbackResponder<BasicRequestContext> { request, context -> Response in
            switch request.uri.path {
            case "/health": return HTTPSupport.json(standbyReport)
            case "/metrics": return HTTPSupport.raw(Data(metrics.render().utf8), contentType: "text/plain; version=0.0.4")
            default:
                // A callback responder has no router to turn a thrown error into its answer.
                return try APIError(
                    .serviceUnavailable, "\(service) replica \(replica) is a standby and holds no shard yet; ask the replica holding the shard"
                ).response(from: request, context: context)
            }
        }
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(common.httpHost, port: httpPort), serverName: "carbonmeter-\(service)-standby"), logger: logger)
        let claimer = ShardClaimer(service: service, count: count, dataDir: common.dataDir, pollMilliseconds: pollMilliseconds, claimed: claimed)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: app),
                    .init(service: claimer, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .cancelGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        return claimed.value
    }
}

/// Polls for a free shard until one is claimed or the process is asked to stop.
private struct ShardClaimer: Service {
    let service: String
    let count: Int
    let dataDir: String
    let pollMilliseconds: Int
    let claimed: ClaimedPlacement

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    if let placement = try claimFree() {
                        claimed.set(placement)
                        return
                    }
                    try await Task.sleep(for: .milliseconds(pollMilliseconds))
                }
            }
        } catch is CancellationError {
            // Asked to stop while standing by: nothing is held, so there is nothing to hand back.
        }
    }

    private func claimFree() throws -> ReplicaPlacement? {
        try ReplicaPlacement.claimFree(service: service, count: count, dataDir: dataDir)
    }
}

/// The placement the standby's claimer found, handed back across the service group.
private final class ClaimedPlacement: Sendable {
    private let stored = Mutex<ReplicaPlacement?>(nil)
    func set(_ placement: ReplicaPlacement) { stored.withLock { $0 = placement } }
    var value: ReplicaPlacement? { stored.withLock { $0 } }
}
