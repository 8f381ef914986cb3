import CarbonModel
/// One calculator replica's part of the work when several share it: the cells of every
/// region-month it publishes. Layer 3 divides `E(p,r)` by the usage of product `p` in region
/// `r` alone, so the tenant layer splits cleanly by `(region, product)`: each product of a
/// region belongs to one partition, which receives all of that product's usage there and
/// publishes its product, product-site and tenant cells. The site layer needs only facility
/// data, which every partition receives; one partition per region (the region's own hash)
/// publishes its sites. A region with one large product therefore still runs on one replica,
/// but a region's products spread over all of them (docs/model.md §18).
///
/// The split must be the same in the preprocessors that route records and the calculators
/// that publish: both use ``index(region:product:count:)``, a stable hash (``ShardKey``), and the count is
/// fixed for the life of a deployment (records routed under another count are elsewhere).
public struct CalculatorPartition: Sendable, Hashable, Codable, CustomStringConvertible {
    /// 0-based, below `count`.
    public var index: Int
    /// How many partitions share the work; 1 is a single calculator.
    public var count: Int

    /// A single calculator: every cell of every region-month.
    public static let whole = CalculatorPartition(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public var description: String { "\(index + 1) of \(count)" }

    /// The partition of product `product` in `region`.
    public static func index(region: String, product: String, count: Int) -> Int {
        ShardKey.shard(of: "\(region)\u{1F}\(product)", count: count)
    }

    /// The partition that publishes the site cells of `region`.
    public static func siteIndex(region: String, count: Int) -> Int {
        ShardKey.shard(of: region, count: count)
    }

    /// The partition a record goes to: a tenant's usage to its product's partition in its
    /// region, nil (every partition) for facility, hardware and product records, which every
    /// partition's site and product layers need.
    public static func index(of record: NormalizedRecord, count: Int) -> Int? {
        guard count > 1, record.kind == .usage, let product = record.product else { return nil }
        return index(region: record.region, product: product, count: count)
    }

    public func ownsSites(of region: String) -> Bool {
        count <= 1 || Self.siteIndex(region: region, count: count) == index
    }

    public func owns(product: String, in region: String) -> Bool {
        count <= 1 || Self.index(region: region, product: product, count: count) == index
    }

    /// The cells of `result` this partition publishes: all of them for a single calculator.
    /// Hours and tag parts follow their cells.
    public func restrict(_ result: RegionMonthResult) -> RegionMonthResult {
        guard count > 1 else { return result }
        let region = result.region
        var owned = result
        if !ownsSites(of: region) { owned.sites = [] }
        owned.productSites.removeAll { !owns(product: $0.product, in: region) }
        owned.productRegions.removeAll { !owns(product: $0.product, in: region) }
        owned.tenants.removeAll { !owns(product: $0.product, in: region) }
        owned.hourly.removeAll { series in
            if let product = series.product { return !owns(product: product, in: region) }
            return !ownsSites(of: region)
        }
        return owned
    }

    /// True when `result` holds no cell at all (a partition that owns nothing in a region-month).
    public static func isEmpty(_ result: RegionMonthResult) -> Bool {
        result.sites.isEmpty && result.productSites.isEmpty && result.productRegions.isEmpty && result.tenants.isEmpty
    }
}
