import ArgumentParser
import Foundation
import GRDB
import Hummingbird
import Messaging
import ServiceKit
import ServiceLifecycle

/// The preprocessor: validates and normalizes what the collector received, keeps the hourly
/// series and the quarantine, and passes normalized records and declarations to the calculator.
@main
struct PreprocessorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preprocessor",
        abstract: "CarbonMeter preprocessor: validation, unit normalization, de-duplication, hourly series, quarantine.",
        discussion: "HTTP: GET /v1/quarantine[?batch=ID&limit=N&offset=N]; GET /health; GET /metrics.")

    @OptionGroup var common: CommonOptions
    @Option(help: "HTTP port (env CM_PREPROCESSOR_HTTP_PORT).")
    var httpPort: Int = Env.int("CM_PREPROCESSOR_HTTP_PORT", Topology.preprocessorHTTP)
    @Option(help: "The collector's outbox endpoint to pull batches from (env CM_COLLECTOR_OUTBOX).")
    var collectorOutbox: String = Env.string("CM_COLLECTOR_OUTBOX", Topology.local(Topology.collectorOutbox))
    @Option(help: "Port of this preprocessor's outbox, pulled by calculators (env CM_PREPROCESSOR_OUTBOX_PORT).")
    var outboxPort: Int = Env.int("CM_PREPROCESSOR_OUTBOX_PORT", Topology.preprocessorOutbox)
    @Option(help: "Port of the control endpoint (env CM_PREPROCESSOR_CONTROL_PORT).")
    var controlPort: Int = Env.int("CM_PREPROCESSOR_CONTROL_PORT", Topology.preprocessorControl)
    /// Shards of records, split by the collector's --preprocessor-shards.
    @OptionGroup var sharding: ShardOptions
    @Option(help: "Number of calculator replicas; usage goes to the one owning its product in its region, everything else to all (env CM_CALCULATOR_SHARDS).")
    var calculatorShards: Int = Env.int("CM_CALCULATOR_SHARDS", 1)
    @Option(help: "Batches held unacknowledged at a time (env CM_PREPROCESSOR_CREDITS).")
    var credits: Int = Env.int("CM_PREPROCESSOR_CREDITS", 4)
    @OptionGroup var authLink: AuthLinkOptions

    func run() async throws {
        MallocArenas.limit()
        HealthProbe.exitIfRequested(common, port: httpPort)
        guard let preprocessor = try await buildPreprocessor() else { return }
        try await preprocessor.run()
    }
}
