import AccessControl
import ArgumentParser
import CarbonModel
import Collecting
import Foundation
import GRDB
import Hummingbird
import Logging
import Messaging
import ServiceKit
import ServiceLifecycle
import Synchronization

/// The collector: receives activity records and declarations over HTTP and over the ZeroMQ
/// ingest endpoint, keeps every batch as received, and hands it on through its outbox.
@main
struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collector",
        abstract: "CarbonMeter collector: ingest activity records, sites, products and factors.",
        discussion: """
            HTTP: POST /v1/activity, /v1/sites, /v1/products, /v1/factors with a JSON array, NDJSON or CSV body;
            GET /v1/batches/{id}; GET /v1/sources; POST /v1/sources/{source}/exports and GET /v1/sources/{source}/exports/{name}
            (billing exports); GET /health; GET /metrics.
            Compiled-in sources (exec plugins, watched folders, billing exports, Prometheus scrapes) are configured in a JSON file given with --sources
            (see docs/collectors.md).
            ZeroMQ ingest: requests of type ingest.<entity>.v1 on --ingest-port (see docs/ingest-protocol.md).
            """)

    @OptionGroup var common: CommonOptions
    @Option(help: "HTTP port (env CM_COLLECTOR_HTTP_PORT).")
    var httpPort: Int = Env.int("CM_COLLECTOR_HTTP_PORT", Topology.collectorHTTP)
    @Option(help: "ZeroMQ ingest endpoint port for custom collectors (env CM_COLLECTOR_INGEST_PORT).")
    var ingestPort: Int = Env.int("CM_COLLECTOR_INGEST_PORT", Topology.collectorIngest)
    @Option(help: "Port of the outbox the preprocessors pull from (env CM_COLLECTOR_OUTBOX_PORT).")
    var outboxPort: Int = Env.int("CM_COLLECTOR_OUTBOX_PORT", Topology.collectorOutbox)
    @Option(help: "Port of the control endpoint (env CM_COLLECTOR_CONTROL_PORT).")
    var controlPort: Int = Env.int("CM_COLLECTOR_CONTROL_PORT", Topology.collectorControl)
    @Option(help: "Largest accepted request body in bytes (env CM_MAX_BODY_BYTES).")
    var maxBodyBytes: Int = Env.int("CM_MAX_BODY_BYTES", 64 * 1_048_576)
    @Option(help: "Largest billing export accepted by POST /v1/sources/{source}/exports, in bytes (env CM_MAX_EXPORT_BYTES).")
    var maxExportBytes: Int64 = Int64(Env.int("CM_MAX_EXPORT_BYTES", 100 * 1_073_741_824))
    @Option(help: "How long an ingest request waits for validation before answering 202 (env CM_VERDICT_TIMEOUT_MS).")
    var verdictTimeoutMs: Int = Env.int("CM_VERDICT_TIMEOUT_MS", 10_000)

    @Option(help: "Batches waiting for the preprocessors beyond which ingest answers 503 with Retry-After (env CM_MAX_BACKLOG).")
    var maxBacklog: Int = Env.int("CM_MAX_BACKLOG", 1_000)
    @Option(help: "Number of preprocessor replicas; each owns one shard of the records (env CM_PREPROCESSOR_SHARDS).")
    var preprocessorShards: Int = Env.int("CM_PREPROCESSOR_SHARDS", 1)
    @Flag(inversion: .prefixedNo, help: "Require an API key (verified by auth) on HTTP and ZeroMQ ingest (env CM_REQUIRE_API_KEY=1).")
    var requireApiKey: Bool = Env.bool("CM_REQUIRE_API_KEY", false)
    @Flag(
        inversion: .prefixedNo,
        help: """
            Require an access token (POST /v1/login on auth) or an API key on HTTP and ZeroMQ ingest, and check its role and \
            tenant (env CM_REQUIRE_AUTH=1).
            """)
    var requireAuth: Bool = Env.bool("CM_REQUIRE_AUTH", false)
    @Option(help: "Records per second each credential (API key, user) may send over HTTP and ZeroMQ; 0 = no limit (env CM_INGEST_RATE).")
    var ingestRate: Double = Double(Env.string("CM_INGEST_RATE", "0")) ?? 0
    @Option(help: "Records a credential may send at once above its rate, and the largest batch it may send (env CM_INGEST_BURST).")
    var ingestBurst: Int = Env.int("CM_INGEST_BURST", 10_000)
    @Option(help: "How often to fetch auth's token revocations, in milliseconds (env CM_REVOCATION_POLL_MS).")
    var revocationPollMs: Int = Env.int("CM_REVOCATION_POLL_MS", 1_000)
    @Option(help: "The auth service's request endpoint (env CM_AUTH_ENDPOINT).")
    var authEndpoint: String = Env.string("CM_AUTH_ENDPOINT", Topology.local(Topology.authControl))
    @Flag(
        inversion: .prefixedNo,
        help: """
            Make the ZeroMQ ingest endpoint a CURVE server too (needs --curve-dir): collectors then need a key pair whose .pub \
            is in <curve-dir>/authorized/ and the collector's public key (env CM_INGEST_CURVE=1).
            """)
    var ingestCurve: Bool = Env.bool("CM_INGEST_CURVE", false)
    @Option(help: "JSON file configuring exec plugins, watched folders, billing exports and scrapes (env CM_COLLECTOR_SOURCES); see docs/collectors.md.")
    var sources: String = Env.string("CM_COLLECTOR_SOURCES", "")

    func validate() throws {
        do { try Env.checkSwitches(["CM_REQUIRE_API_KEY", "CM_REQUIRE_AUTH", "CM_INGEST_CURVE"]) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        MallocArenas.limit()
        HealthProbe.exitIfRequested(common, port: httpPort)
        try await buildCollector().run()
    }
}
