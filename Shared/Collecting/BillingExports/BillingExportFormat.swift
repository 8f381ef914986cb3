/// The billing export layouts a `billing_export` source reads. All are CSV with a header row
/// (plain, or compressed with gzip); `BillingColumns` knows where each keeps the facts a usage
/// record needs.
public enum BillingExportFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// AWS Cost and Usage Report (legacy CUR), with its `lineItem/…`, `product/…`,
    /// `pricing/…` and `resourceTags/…` columns.
    case awsCUR = "aws_cur"
    /// AWS Data Exports' Cost and Usage Report 2.0: fixed `line_item_…`, `product_…` and
    /// `pricing_…` columns, and the map columns `product` and `resource_tags` as JSON objects.
    case awsCUR2 = "aws_cur2"
    /// Google Cloud's standard (or detailed) billing export to BigQuery, saved as CSV with the
    /// nested fields flattened: `service.description` (or `service_description`), `sku.description`,
    /// `usage_start_time`, `usage.amount`, `labels` as a JSON array of `{"key","value"}`, ….
    case gcpBigQuery = "gcp_bigquery"
    /// The FinOps Open Cost and Usage Specification (FOCUS 1.0 to 1.2), as AWS, Microsoft,
    /// Google Cloud, Oracle and others export it: `BillingAccountId`, `SubAccountId`,
    /// `ProviderName`, `ServiceName`, `RegionId`, `ChargePeriodStart`, `ConsumedQuantity`, ….
    case focus

    /// Whether each usage row is its own record (the provider's line-item identity), rather
    /// than rows summed per account, service, region and charge period (FOCUS).
    public var recordPerLine: Bool { self != .focus }
}
