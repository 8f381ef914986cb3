/// The resource details of a usage record that make it estimable: which provider, which kind
/// of resource, and the optional refinements (processor family, CPU utilization, replication).
///
/// Records with equal profiles are estimated with equal coefficients, so the calculator keeps
/// one usage series per profile and estimates each series with one multiplication per hour;
/// `key` is the profile's stable text form in that series key.
public struct EstimationProfile: Sendable, Hashable, Codable {
    public var provider: CloudProvider
    public var resource: EstimatedResource
    /// CCF processor family (`CASCADE_LAKE`, …); nil = provider average W per vCPU. Compute only.
    public var processor: String?
    /// Average CPU utilization 0…1; nil = the CCF default of 0.5. Compute only.
    public var utilization: Double?
    /// How many copies the provider keeps (CCF replication factor); 1 when not said.
    public var replication: Double

    public init(
        provider: CloudProvider, resource: EstimatedResource, processor: String? = nil, utilization: Double? = nil,
        replication: Double = 1
    ) {
        self.provider = provider
        self.resource = resource
        self.processor = processor
        self.utilization = utilization
        self.replication = replication
    }

    /// The utilization CCF assumes when none is known (AVG_CPU_UTILIZATION_2020 = 50 %).
    public static let defaultUtilization = 0.5

    /// `provider|resource|processor|utilization|replication`, empty fields for nil. Doubles in
    /// Swift's shortest round-trip form, so `init(key:)` restores them exactly.
    public var key: String {
        [
            provider.rawValue, resource.rawValue, processor ?? "", utilization.map { "\($0)" } ?? "", "\(replication)",
        ].joined(separator: "|")
    }

    /// Parses `key`; nil for text that is not a profile key (e.g. an empty series field).
    public init?(key: String) {
        let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, let provider = CloudProvider(rawValue: parts[0]),
            let resource = EstimatedResource(rawValue: parts[1]), let replication = Double(parts[4])
        else { return nil }
        var utilization: Double?
        if !parts[3].isEmpty {
            guard let value = Double(parts[3]) else { return nil }
            utilization = value
        }
        self.init(
            provider: provider, resource: resource, processor: parts[2].isEmpty ? nil : parts[2], utilization: utilization,
            replication: replication)
    }
}
