/// One line of a billing export, read out of its provider's columns into the facts a usage
/// record needs. Values are kept as text: the conversion checks them, so that a bad cell is
/// reported with the column it came from.
public struct BillingLine: Sendable, Hashable {
    /// 1-based line in the export file where the row starts.
    public var line: Int
    /// Whether the line is use of a service (AWS `Usage`, GCP `regular`, FOCUS `Usage` that is
    /// not a correction of an earlier period nor unused commitment), not tax, fee or credit.
    public var isUsage: Bool
    /// What sort of line it is (AWS line item type, GCP cost type, FOCUS charge category), by
    /// which lines that are not usage are counted.
    public var lineItemType: String
    /// AWS usage account, GCP project, FOCUS billing account.
    public var account: String?
    /// FOCUS sub account (an AWS member account, an Azure subscription, a GCP project).
    public var subAccount: String? = nil
    /// The provider as the export names it (FOCUS `ProviderName`); nil when the format implies it.
    public var providerName: String? = nil
    /// AWS product code, GCP service description, FOCUS service name.
    public var productCode: Field
    /// AWS usage type, GCP SKU description, FOCUS SKU meter (else SKU id).
    public var usageType: Field
    public var operation: String?
    public var resource: String?
    public var start: Field
    public var end: Field
    /// The quantity used: AWS usage amount, GCP usage amount, FOCUS consumed quantity (or
    /// pricing quantity on rows where only that is filled).
    public var amount: Field
    public var region: Field
    /// The unit of `amount` as the provider writes it.
    public var providerUnit: String?
    /// FOCUS service category (e.g. `Compute`, `Storage`).
    public var serviceCategory: String? = nil
    /// Resource tags (AWS, without `resourceTags/` and `user:`), labels (GCP) or FOCUS tags.
    public var tags: [String: String]
    /// Resource details where the export has them (AWS `product/vcpu`, `product/memory` such as
    /// `8 GiB`, `product/instanceType`; FOCUS `SkuPriceDetails` `CoreCount`, `MemorySize`,
    /// `InstanceType`): kept on the record for estimation mode.
    public var vcpu: String?
    public var memory: String?
    public var instanceType: String?
    /// The instance family (AWS `product_instance_family`, FOCUS `InstanceSeries`).
    public var instanceSeries: String? = nil
    /// Where `vcpu` and `memory` were read from, for error messages.
    public var vcpuColumn = "product/vcpu"
    public var memoryColumn = "product/memory"
    /// The tags' cell when it could not be read (GCP `labels` that are not a JSON array of
    /// `{"key", "value"}` strings, FOCUS `Tags` or CUR 2.0 `resource_tags` that are not a JSON
    /// object). The row is then rejected naming it: the tenant may be one of the tags, and
    /// reading them as none could put the usage on the wrong tenant.
    public var unreadableTags: Field? = nil
    /// The resource details' cell when it could not be read; the row is rejected naming it only
    /// when its rule needs a detail (`scale_by`).
    public var unreadableDetails: Field? = nil
}

/// A cell and the column it was read from, so that an error can name the column.
public struct Field: Sendable, Hashable {
    public var column: String
    public var value: String?

    public init(_ column: String, _ row: [String: String]) {
        self.column = column
        value = row[column]
    }

    public init(column: String, value: String?) {
        self.column = column
        self.value = value
    }
}
