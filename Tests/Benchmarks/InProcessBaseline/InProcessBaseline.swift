import ArgumentParser
import CarbonModel
import Foundation

/// The in-process baseline of `scripts/bench`: the same records decoded once and put through
/// the same math — validation and normalization, hourly splitting, aggregation per region and
/// month, the three-layer engine — with no persistence and no messaging. Its time, against the
/// suite's, is the price of durability and distribution.
@main
struct InProcessBaseline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carbonmeter-baseline",
        abstract: "Decode and account NDJSON records in one process, no stores, no messages; print the time taken.")

    @Option(help: "Folder with sites.json, products.json, factors.json and activity.ndjson (the demo).")
    var declarations: String = "examples/demo"
    @Option(help: "NDJSON file of activity records to account.")
    var input: String
    @Option(help: "Records per batch, as the suite receives them.")
    var batch: Int = 5_000

    func run() throws {
        let folder = URL(fileURLWithPath: declarations)
        var registry = Registry()
        var factors: [EmissionFactor] = []
        for record in try Self.records(folder.appendingPathComponent("sites.json"), .json) {
            if case .success(let site) = RecordValidator.site(record.json) { registry.declare(site) }
        }
        for record in try Self.records(folder.appendingPathComponent("products.json"), .json) {
            if case .success(let product) = RecordValidator.product(record.json) { registry.declare(product) }
        }
        for record in try Self.records(folder.appendingPathComponent("factors.json"), .json) {
            if case .success(let factor) = RecordValidator.factor(record.json) { factors.append(factor) }
        }
        let demo = try Data(contentsOf: folder.appendingPathComponent("activity.ndjson"))
        let body = try Data(contentsOf: URL(fileURLWithPath: input))

        let started = ContinuousClock.now
        var accumulators: [String: RegionMonthAccumulator] = [:]
        var seen = Set<String>()
        var accepted = 0, rejected = 0
        var lines = demo.split(separator: 0x0A) + body.split(separator: 0x0A)
        let total = lines.count
        while !lines.isEmpty {
            let chunk = Data(lines.prefix(batch).joined(separator: [0x0A]))
            lines.removeFirst(min(batch, lines.count))
            for record in try BatchFraming.records(in: chunk, format: .ndjson) {
                guard case .success(let normalized) = RecordValidator.normalize(record.json, registry: registry),
                    seen.insert(normalized.source + "\u{1F}" + normalized.id).inserted
                else {
                    rejected += 1
                    continue
                }
                accepted += 1
                for bucket in TimeSplitter.split(
                    start: normalized.start, end: normalized.end, amount: normalized.amount, granularity: normalized.kind.bucketGranularity)
                {
                    let key = "\(normalized.region)\u{1F}\(CalendarMonth(containing: bucket.start))"
                    accumulators[key, default: RegionMonthAccumulator()].add(
                        kind: normalized.kind, site: normalized.site ?? "", product: normalized.product ?? "",
                        tenant: normalized.tenant ?? "", substance: normalized.substance ?? "", bucket: bucket.start, amount: bucket.amount)
                }
            }
        }
        let resolver = FactorResolver(factors)
        var tenantCells = 0
        for (key, accumulator) in accumulators.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "\u{1F}")
            guard parts.count == 2, let month = CalendarMonth(parts[1]) else { continue }
            let region = String(parts[0])
            let sites = registry.sites.filter { $0.value.region == region }
            let result = AccountingEngine.calculate(
                accumulator.input(region: region, month: month, sites: sites, products: registry.products, factors: resolver))
            tenantCells += result.tenants.count
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            String(
                format: "baseline: %d records (%d accepted, %d rejected), %d region-months, %d tenant cells in %.2f s -> %.0f records/s",
                total, accepted, rejected, accumulators.count, tenantCells, seconds, Double(total) / seconds))
    }

    static func records(_ url: URL, _ format: BatchFormat) throws -> [RawRecord] {
        try BatchFraming.records(in: try Data(contentsOf: url), format: format)
    }
}
