import ArgumentParser
import Foundation
import GRDB
import Hummingbird
import CarbonModel
import Contracts
import Messaging
import ServiceKit
import ServiceLifecycle

/// The calculator: the three-layer accounting of docs/model.md (§7–§14, measured mode) per region and month,
/// recalculated whenever records, late records, revisions or declarations touch that month.
@main
struct CalculatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calculator",
        abstract: "CarbonMeter calculator: site, product and tenant emissions per region and month.",
        discussion: "HTTP: GET /health; GET /metrics; GET /v1/factors (activity=, region=, origin=, at=, q=); GET /v1/lineage (layer=site|product_site|product|tenant, site=, product=, tenant=, region=, month=).")

    @OptionGroup var common: CommonOptions
    @Option(help: "HTTP port (env CM_CALCULATOR_HTTP_PORT).")
    var httpPort: Int = Env.int("CM_CALCULATOR_HTTP_PORT", Topology.calculatorHTTP)
    @Option(help: "The outbox endpoints of every preprocessor replica, comma-separated (env CM_PREPROCESSOR_OUTBOX).")
    var preprocessorOutbox: String = Env.string("CM_PREPROCESSOR_OUTBOX", Topology.local(Topology.preprocessorOutbox))
    @Option(help: "Port of this calculator's outbox, pulled by the reporter (env CM_CALCULATOR_OUTBOX_PORT).")
    var outboxPort: Int = Env.int("CM_CALCULATOR_OUTBOX_PORT", Topology.calculatorOutbox)
    @Option(help: "Port of the control endpoint (env CM_CALCULATOR_CONTROL_PORT).")
    var controlPort: Int = Env.int("CM_CALCULATOR_CONTROL_PORT", Topology.calculatorControl)
    /// Partitions of every region's products (``CalculatorPartition``), split by the
    /// preprocessors' --calculator-shards.
    @OptionGroup var sharding: ShardOptions
    @Option(help: "Recalculate a month once no record has touched it for this long (env CM_SETTLE_MS).")
    var settleMs: Int = Env.int("CM_SETTLE_MS", 300)
    @Option(help: "...or once it has waited this long in any case (env CM_MAX_WAIT_MS).")
    var maxWaitMs: Int = Env.int("CM_MAX_WAIT_MS", 5_000)
    @Option(help: "Tenant cells per publication message: a larger recalculation is sent as several pages, so that neither calculator nor reporter holds it whole (env CM_PAGE_CELLS).")
    var pageCells: Int = Env.int("CM_PAGE_CELLS", 2_000)
    @Option(help: "IPCC GWP-100 set of the shipped refrigerant factors: AR5 or AR6 (env CM_GWP_SET).")
    var gwpSet: String = Env.string("CM_GWP_SET", GWPSet.ar6.rawValue)
    @Option(help: "Market boundary of certificates produced in another grid than a site's: 'hourly' applies them to the monthly market-based figure but never hour by hour; 'both' applies them to neither (env CM_MARKET_BOUNDARY).")
    var marketBoundary: String = Env.string("CM_MARKET_BOUNDARY", MarketBoundary.hourlyOnly.rawValue)
    @OptionGroup var authLink: AuthLinkOptions
    @Option(help: "Data quality: longest run of missing hours of a site's grid-electricity series filled by linear interpolation; 0 fills nothing (env CM_MAX_GAP_HOURS).")
    var maxGapHours: Int = Env.int("CM_MAX_GAP_HOURS", GapFiller.defaultMaxGapHours)
    @Option(help: "Data quality: Hampel window, hours on each side of the hour tested (env CM_HAMPEL_HALF_WINDOW).")
    var hampelHalfWindow: Int = Env.int("CM_HAMPEL_HALF_WINDOW", OutlierPolicy.default.halfWindow)
    @Option(help: "Data quality: robust z-score (|x − median| / (1.4826 × MAD)) above which an hour is flagged as an outlier (env CM_OUTLIER_THRESHOLD).")
    var outlierThreshold: Double = Env.double("CM_OUTLIER_THRESHOLD", OutlierPolicy.default.threshold)
    @Option(help: "Data quality: floor of the MAD as a fraction of the window's median, so meter rounding is not flagged (env CM_OUTLIER_MIN_RELATIVE_MAD).")
    var outlierMinRelativeMad: Double = Env.double("CM_OUTLIER_MIN_RELATIVE_MAD", OutlierPolicy.default.minimumRelativeMAD)

    func validate() throws {
        guard pageCells >= 1 else { throw ValidationError("--page-cells (CM_PAGE_CELLS): at least 1 tenant cell per message, not \(pageCells)") }
    }

    func run() async throws {
        MallocArenas.limit()
        HealthProbe.exitIfRequested(common, port: httpPort)
        guard let calculator = try await buildCalculator() else { return }
        try await calculator.run()
    }

    /// This replica's part of every region-month: its shard among `--shards` (else
    /// `CM_SHARDS`, else the preprocessors' `CM_CALCULATOR_SHARDS`), or all of it.
    static func partition(shard: Int?, declared: Int?) throws -> CalculatorPartition {
        guard let shard else { return .whole }
        let fromEnvironment = Env.optionalString("CM_CALCULATOR_SHARDS")
        if declared == nil, let text = fromEnvironment, Int(text) == nil {
            throw ServiceStartupError("CM_CALCULATOR_SHARDS=\"\(text)\" is not a whole number")
        }
        guard let count = declared ?? fromEnvironment.flatMap(Int.init), count > shard else {
            throw ServiceStartupError(
                "calculator: --shard \(shard) needs --shards N (env CM_SHARDS or CM_CALCULATOR_SHARDS), the preprocessors' --calculator-shards, greater than the shard: each replica publishes the products of its partition")
        }
        return CalculatorPartition(index: shard, count: count)
    }
}
