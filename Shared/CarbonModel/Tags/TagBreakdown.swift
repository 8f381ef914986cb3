/// Splits a tenant cell's figures by the values of one tag key, in proportion to the usage
/// that carried each value. Layer 3 gives a tenant `usage / D × E(p,r)`, linear in its usage,
/// so the usage tagged `project=a` caused exactly `usage_a / usage × E(c,p,r)` of it.
/// Pure: the calculator feeds it exact integer micro-unit sums from its store.
public enum TagBreakdown {
    /// The value of the part whose usage did not carry the key.
    public static let untagged = "(untagged)"

    /// One value's share of a tenant cell.
    public struct Share: Sendable, Hashable {
        public var value: String
        /// Micro-units of the product's unit.
        public var usageMicro: Int64
        public var figures: EmissionFigures
        /// `usageMicro` over the split's denominator: the part's fraction of the cell.
        public var share: Double

        public init(value: String, usageMicro: Int64, figures: EmissionFigures, share: Double = 1) {
            self.share = share
            self.value = value
            self.usageMicro = usageMicro
            self.figures = figures
        }
    }

    /// The parts of `figures` for one key, sorted by value with ``untagged`` last.
    ///
    /// - Parameters:
    ///   - figures: the tenant cell.
    ///   - totalMicro: all of the cell's usage, tagged or not (micro-units).
    ///   - taggedMicro: value → usage that carried the key with that value (micro-units).
    ///     Values with no usage left (e.g. after a revision moved it) are omitted.
    ///
    /// The usage without the key, `totalMicro − Σ taggedMicro`, forms the ``untagged`` part.
    /// The last part takes what the others leave of `figures`, so the parts add up to the cell
    /// (to floating-point rounding) whatever the shares' rounding. Should the tagged usage
    /// exceed the total (it cannot when both come from the same records), the tagged sum is
    /// the denominator and there is no untagged part.
    public static func split(figures: EmissionFigures, totalMicro: Int64, taggedMicro: [String: Int64]) -> [Share] {
        let tagged = taggedMicro.filter { $0.value > 0 && $0.key != untagged }.sorted { $0.key < $1.key }
        let taggedSum = tagged.reduce(Int64(0)) { $0 + $1.value }
        let denominator = max(totalMicro, taggedSum)
        guard denominator > 0 else {
            return [Share(value: untagged, usageMicro: max(totalMicro, 0), figures: figures, share: 1)]
        }
        var entries = tagged.map { (value: $0.key, usage: $0.value) }
        if denominator > taggedSum { entries.append((untagged, denominator - taggedSum)) }
        var shares: [Share] = []
        var assigned = EmissionFigures.zero
        for (index, entry) in entries.enumerated() {
            let part: EmissionFigures
            if index == entries.count - 1 {
                part = figures - assigned
            } else {
                part = figures.scaled(by: Double(entry.usage) / Double(denominator))
                assigned += part
            }
            shares.append(
                Share(value: entry.value, usageMicro: entry.usage, figures: part, share: Double(entry.usage) / Double(denominator)))
        }
        return shares
    }

    /// Every tag part of a region-month: each tenant cell split by each key some of its usage
    /// carried. `usage` maps a cell to its total usage; `tags` maps a cell to key → value →
    /// tagged usage (all micro-units). Cells without tagged usage give no parts.
    public static func parts(
        tenants: [TenantResult], usage: [TenantCellKey: Int64], tags: [TenantCellKey: [String: [String: Int64]]]
    ) -> [TagPart] {
        var parts: [TagPart] = []
        for cell in tenants {
            let key = TenantCellKey(tenant: cell.tenant, product: cell.product)
            guard let byKey = tags[key] else { continue }
            for tagKey in byKey.keys.sorted() {
                let values = byKey[tagKey] ?? [:]
                guard values.values.contains(where: { $0 > 0 }) else { continue }
                for share in split(figures: cell.figures, totalMicro: usage[key] ?? 0, taggedMicro: values) {
                    parts.append(
                        TagPart(
                            tenant: cell.tenant, product: cell.product, region: cell.region, month: cell.month, key: tagKey,
                            value: share.value, usage: Double(share.usageMicro) / 1_000_000, figures: share.figures, mode: cell.mode,
                            share: share.share))
                }
            }
        }
        return parts
    }
}

