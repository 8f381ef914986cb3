import ArgumentParser
import CarbonModel
import RecordParsing
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The in-process baseline of `scripts/bench`: the same records decoded once and put through
/// the same math — validation and normalization, `(source, id)` identity with repeats ignored
/// and revisions replacing the earlier version, hourly splitting, aggregation per region and
/// month, the three-layer engine with the shipped and the declared factors — with no
/// persistence and no messaging. Its time, against the suite's, is the price of durability and
/// distribution. The input is read in batches, never whole.
@main
struct InProcessBaseline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carbonmeter-baseline",
        abstract: "Decode and account NDJSON records in one process, no stores, no messages; print the time taken.")

    @Option(help: "Folder with sites.json, products.json, factors.json and optionally activity.ndjson (accounted before the input).")
    var declarations: String = "examples/demo"
    @Option(help: "NDJSON file of activity records to account.")
    var input: String
    @Option(help: "Records per batch, as the suite receives them.")
    var batch: Int = 5_000

    func run() throws {
        let folder = URL(fileURLWithPath: declarations)
        var registry = Registry()
        var factors = DefaultFactorLibrary.factors()
        for record in try Self.records(folder.appendingPathComponent("sites.json"), .json) {
            if case .success(let site) = RecordValidator.site(record.json) { registry.declare(site) }
        }
        for record in try Self.records(folder.appendingPathComponent("products.json"), .json) {
            if case .success(let product) = RecordValidator.product(record.json) { registry.declare(product) }
        }
        for record in try Self.records(folder.appendingPathComponent("factors.json"), .json) {
            if case .success(let factor) = RecordValidator.factor(record.json) { factors.append(factor) }
        }
        let demoPath = folder.appendingPathComponent("activity.ndjson").path
        let demo = FileManager.default.fileExists(atPath: demoPath) ? try Data(contentsOf: URL(fileURLWithPath: demoPath)) : Data()
        guard let handle = FileHandle(forReadingAtPath: input) else { throw ValidationError("cannot read \(input)") }
        defer { try? handle.close() }

        let started = ContinuousClock.now
        var ledger = Ledger()
        var chunks = LineBatches(first: demo, handle: handle, batch: batch)
        while let chunk = try chunks.next() {
            for record in try BatchFraming.records(in: chunk, format: .ndjson) {
                guard case .success(let normalized) = RecordValidator.normalize(record.json, registry: registry) else {
                    ledger.rejected += 1
                    continue
                }
                ledger.take(normalized)
            }
        }
        let resolver = FactorResolver(factors)
        var tenantCells = 0
        for (key, accumulator) in ledger.accumulators.sorted(by: { $0.key < $1.key }) {
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
        let total = ledger.accepted + ledger.repeats + ledger.revisions + ledger.rejected
        print(
            String(
                format: "baseline: %d records (%d accepted, %d repeats, %d revisions, %d rejected), %d region-months, %d tenant cells in %.2f s -> %.0f records/s",
                total, ledger.accepted, ledger.repeats, ledger.revisions, ledger.rejected, ledger.accumulators.count, tenantCells, seconds,
                Double(total) / seconds))
    }

    static func records(_ url: URL, _ format: BatchFormat) throws -> [RawRecord] {
        try BatchFraming.records(in: try Data(contentsOf: url), format: format)
    }
}

/// The amounts of every region-month, and what each `(source, id)` contributed to them so
/// that a revision can take its earlier version out exactly.
struct Ledger {
    var accumulators: [String: RegionMonthAccumulator] = [:]
    var held: [String: Held] = [:]
    var accepted = 0, repeats = 0, revisions = 0, rejected = 0

    /// What a record put into the accumulators, and a digest of all its fields (tags too) to
    /// tell an exact repeat from a revision.
    struct Held {
        var digest: Int
        var kind: ActivityKind
        var region, site, product, tenant, substance: String
        var start, end, amount: Int64

        init(_ record: NormalizedRecord) {
            digest = record.hashValue
            kind = record.kind
            region = record.region
            site = record.site ?? ""
            product = record.product ?? ""
            tenant = record.tenant ?? ""
            substance = record.substance ?? ""
            start = record.start
            end = record.end
            amount = record.amount
        }
    }

    mutating func take(_ record: NormalizedRecord) {
        let key = record.source + "\u{1F}" + record.id
        let entry = Held(record)
        if let earlier = held[key] {
            if earlier.digest == entry.digest {
                repeats += 1
                return
            }
            revisions += 1
            add(earlier, sign: -1)
        } else {
            accepted += 1
        }
        held[key] = entry
        add(entry, sign: 1)
    }

    private mutating func add(_ entry: Held, sign: Int64) {
        for bucket in TimeSplitter.split(start: entry.start, end: entry.end, amount: entry.amount, granularity: entry.kind.bucketGranularity) {
            let key = "\(entry.region)\u{1F}\(CalendarMonth(containing: bucket.start))"
            accumulators[key, default: RegionMonthAccumulator()].add(
                kind: entry.kind, site: entry.site, product: entry.product, tenant: entry.tenant, substance: entry.substance,
                bucket: bucket.start, amount: sign * bucket.amount)
        }
    }
}

/// NDJSON in batches of `batch` lines (the last one shorter), `first` before the file's lines;
/// the file is read 4 MB at a time.
struct LineBatches {
    private var buffer: Data
    private let handle: FileHandle
    private let batch: Int
    private var atEnd = false
    private var scanned = 0  // bytes of `buffer` already searched for line ends
    private var lines = 0  // line ends found in them

    init(first: Data, handle: FileHandle, batch: Int) {
        var start = first
        if !start.isEmpty, start.last != 0x0A { start.append(0x0A) }
        buffer = start
        self.handle = handle
        self.batch = max(1, batch)
    }

    mutating func next() throws -> Data? {
        while true {
            if let cut = findBatchEnd() {
                let chunk = buffer.subdata(in: buffer.startIndex..<buffer.startIndex + cut)
                buffer = buffer.subdata(in: buffer.startIndex + cut + 1..<buffer.endIndex)
                scanned = 0
                lines = 0
                return chunk
            }
            if atEnd {
                guard !buffer.isEmpty else { return nil }
                defer { buffer = Data() }
                return buffer
            }
            let more = try handle.read(upToCount: 4 << 20) ?? Data()
            if more.isEmpty { atEnd = true } else { buffer.append(more) }
        }
    }

    /// The offset of the `batch`-th line end of `buffer`, if it holds that many.
    private mutating func findBatchEnd() -> Int? {
        buffer.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int? in
            guard let base = raw.baseAddress else { return nil }
            while scanned < raw.count {
                guard let found = memchr(base + scanned, 0x0A, raw.count - scanned) else {
                    scanned = raw.count
                    return nil
                }
                let offset = base.distance(to: UnsafeRawPointer(found))
                scanned = offset + 1
                lines += 1
                if lines == batch { return offset }
            }
            return nil
        }
    }
}
