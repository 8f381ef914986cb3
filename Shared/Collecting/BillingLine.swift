/// One line of a billing export, read out of its provider's columns into the facts a usage
/// record needs. Values are kept as text: the conversion checks them, so that a bad cell is
/// reported with the column it came from.
public struct BillingLine: Sendable, Hashable {
    /// 1-based line in the export file where the row starts.
    public var line: Int
    /// Whether the line is use of a service (AWS `Usage`, GCP `regular`), not tax, fee or credit.
    public var isUsage: Bool
    public var lineItemType: String
    public var account: String?
    public var productCode: Field
    public var usageType: Field
    public var operation: String?
    public var resource: String?
    public var start: Field
    public var end: Field
    public var amount: Field
    public var region: Field
    public var providerUnit: String?
    /// Resource tags (AWS, without `resourceTags/` and `user:`) or labels (GCP).
    public var tags: [String: String]
    /// Resource details where the export has them (AWS `product/vcpu`, `product/memory` such as
    /// `8 GiB`, `product/instanceType`): kept on the record for estimation mode.
    public var vcpu: String?
    public var memory: String?
    public var instanceType: String?
    /// The tags' cell when it could not be read (GCP `labels` that are not a JSON array of
    /// `{"key", "value"}` strings). The row is then rejected naming it: the tenant may be one of
    /// the tags, and reading them as none could put the usage on the wrong tenant.
    public var unreadableTags: Field? = nil
}

/// A cell and the column it was read from, so that an error can name the column.
public struct Field: Sendable, Hashable {
    public var column: String
    public var value: String?

    public init(_ column: String, _ row: [String: String]) {
        self.column = column
        value = row[column]
    }
}
