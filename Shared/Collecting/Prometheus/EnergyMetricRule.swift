/// Which scraped energy counters become which CarbonMeter records: a metric name, an optional
/// label filter, and where the site (and, for product IT energy, the product) come from — a
/// fixed name, or a label's value looked up in a map (or taken as it is when no map is given).
/// Part of a `prometheus` source in the sources file (docs/collectors.md).
public struct EnergyMetricRule: Sendable, Hashable, Codable {
    /// The counter's name, e.g. `kepler_container_joules_total` or `node_rapl_package_joules_total`.
    public var metric: String
    /// `product.it_electricity` (needs a product) or `facility.it_electricity`.
    public var kind: String
    /// Only series whose labels have these values.
    public var match: [String: String]
    public var site: String?
    public var siteLabel: String?
    /// Label value → site; absent: the label's value is the site.
    public var sites: [String: String]?
    public var product: String?
    public var productLabel: String?
    /// Label value → product; absent: the label's value is the product.
    public var products: [String: String]?
    /// The counter's unit: `J` (joules, the default), `kJ`, `Wh` or `kWh`.
    public var unit: String

    enum CodingKeys: String, CodingKey {
        case metric, kind, match, site, sites, product, products, unit
        case siteLabel = "site_label"
        case productLabel = "product_label"
    }

    public init(
        metric: String, kind: String, match: [String: String] = [:], site: String? = nil, siteLabel: String? = nil,
        sites: [String: String]? = nil, product: String? = nil, productLabel: String? = nil, products: [String: String]? = nil,
        unit: String = "J"
    ) {
        self.metric = metric
        self.kind = kind
        self.match = match
        self.site = site
        self.siteLabel = siteLabel
        self.sites = sites
        self.product = product
        self.productLabel = productLabel
        self.products = products
        self.unit = unit
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metric = try container.decode(String.self, forKey: .metric)
        kind = try container.decode(String.self, forKey: .kind)
        match = try container.decodeIfPresent([String: String].self, forKey: .match) ?? [:]
        site = try container.decodeIfPresent(String.self, forKey: .site)
        siteLabel = try container.decodeIfPresent(String.self, forKey: .siteLabel)
        sites = try container.decodeIfPresent([String: String].self, forKey: .sites)
        product = try container.decodeIfPresent(String.self, forKey: .product)
        productLabel = try container.decodeIfPresent(String.self, forKey: .productLabel)
        products = try container.decodeIfPresent([String: String].self, forKey: .products)
        unit = try container.decodeIfPresent(String.self, forKey: .unit) ?? "J"
    }

    /// kWh per unit of the counter; nil for a unit this source does not know.
    public var kilowattHoursPerUnit: Double? {
        switch unit {
        case "J": 1 / 3_600_000
        case "kJ": 1 / 3_600
        case "Wh": 0.001
        case "kWh": 1
        default: nil
        }
    }

    /// What is wrong with the rule, if anything (checked when the sources file is loaded).
    public var problem: String? {
        guard ["product.it_electricity", "facility.it_electricity"].contains(kind) else {
            return "kind \"\(kind)\" is not product.it_electricity or facility.it_electricity"
        }
        if kilowattHoursPerUnit == nil { return "unit \"\(unit)\" is not J, kJ, Wh or kWh" }
        if site == nil && siteLabel == nil { return "needs site or site_label" }
        if kind == "product.it_electricity" && product == nil && productLabel == nil { return "needs product or product_label" }
        return nil
    }

    /// Where a sample's energy goes, or nil when the sample is not this rule's or its labels are not mapped.
    public func target(of sample: PrometheusExposition.Sample) -> EnergyTarget? {
        guard sample.name == metric, match.allSatisfy({ sample.labels[$0.key] == $0.value }) else { return nil }
        guard let site = resolve(fixed: site, label: siteLabel, map: sites, in: sample.labels) else { return nil }
        var product: String?
        if kind == "product.it_electricity" {
            guard let resolved = resolve(fixed: self.product, label: productLabel, map: products, in: sample.labels) else { return nil }
            product = resolved
        }
        return EnergyTarget(kind: kind, site: site, product: product)
    }

    /// Whether the sample is this rule's metric and passes its filter (mapped or not).
    public func selects(_ sample: PrometheusExposition.Sample) -> Bool {
        sample.name == metric && match.allSatisfy { sample.labels[$0.key] == $0.value }
    }

    private func resolve(fixed: String?, label: String?, map: [String: String]?, in labels: [String: String]) -> String? {
        if let fixed { return fixed }
        guard let label, let value = labels[label], !value.isEmpty else { return nil }
        guard let map else { return value }
        return map[value]
    }
}

/// Where energy is recorded: the record kind, the site and (for product IT energy) the product.
public struct EnergyTarget: Sendable, Hashable, Comparable {
    public var kind: String
    public var site: String
    public var product: String?

    public init(kind: String, site: String, product: String? = nil) {
        self.kind = kind
        self.site = site
        self.product = product
    }

    public static func < (lhs: EnergyTarget, rhs: EnergyTarget) -> Bool {
        (lhs.kind, lhs.site, lhs.product ?? "") < (rhs.kind, rhs.site, rhs.product ?? "")
    }
}
