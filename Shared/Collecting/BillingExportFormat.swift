import Foundation

/// The billing export layouts a `billing_export` source reads, and where each keeps the facts a
/// usage record needs. Both are CSV with a header row.
public enum BillingExportFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// AWS Cost and Usage Report (legacy CUR), with its `lineItem/…`, `product/…`,
    /// `pricing/…` and `resourceTags/…` columns.
    case awsCUR = "aws_cur"
    /// Google Cloud's standard (or detailed) billing export to BigQuery, saved as CSV with the
    /// nested fields flattened: `service.description` (or `service_description`), `sku.description`,
    /// `usage_start_time`, `usage.amount`, `labels` as a JSON array of `{"key","value"}`, ….
    case gcpBigQuery = "gcp_bigquery"

    /// Reads one CSV row (header name → cell; empty cells absent) as a neutral billing line.
    public func line(_ row: [String: String], at line: Int) -> BillingLine {
        switch self {
        case .awsCUR: Self.awsLine(row, at: line)
        case .gcpBigQuery: Self.gcpLine(row, at: line)
        }
    }

    // MARK: AWS

    /// Line item types that are use of a service; the rest (Tax, Fee, Credit, Refund, RIFee,
    /// SavingsPlanNegation, …) are money, not usage.
    static let awsUsageTypes: Set<String> = ["Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"]

    private static func awsLine(_ row: [String: String], at line: Int) -> BillingLine {
        var tags: [String: String] = [:]
        for (column, value) in row where column.hasPrefix("resourceTags/") {
            var key = column.dropFirst("resourceTags/".count)
            if key.hasPrefix("user:") { key = key.dropFirst("user:".count) }
            tags[String(key)] = value
        }
        let lineItemType = row["lineItem/LineItemType"]
        return BillingLine(
            line: line,
            isUsage: lineItemType.map { awsUsageTypes.contains($0) } ?? true,
            lineItemType: lineItemType ?? "Usage",
            account: row["lineItem/UsageAccountId"],
            productCode: Field("lineItem/ProductCode", row), usageType: Field("lineItem/UsageType", row),
            operation: row["lineItem/Operation"], resource: row["lineItem/ResourceId"],
            start: Field("lineItem/UsageStartDate", row), end: Field("lineItem/UsageEndDate", row),
            amount: Field("lineItem/UsageAmount", row),
            region: row["product/region"] != nil ? Field("product/region", row) : Field("product/regionCode", row),
            providerUnit: row["pricing/unit"], tags: tags,
            vcpu: row["product/vcpu"], memory: row["product/memory"], instanceType: row["product/instanceType"])
    }

    // MARK: GCP

    private static func gcpLine(_ row: [String: String], at line: Int) -> BillingLine {
        /// BigQuery names nested fields `a.b`; a query that flattens them often writes `a_b`.
        func field(_ name: String) -> Field {
            if row[name] != nil { return Field(name, row) }
            let underscored = name.replacingOccurrences(of: ".", with: "_")
            return row[underscored] != nil ? Field(underscored, row) : Field(name, row)
        }
        let costType = field("cost_type").value
        let tags = labels(field("labels").value)
        return BillingLine(
            line: line,
            isUsage: costType.map { $0 == "regular" } ?? true,
            lineItemType: costType ?? "regular",
            account: field("project.id").value,
            productCode: field("service.description"), usageType: field("sku.description"),
            operation: field("sku.id").value, resource: field("resource.name").value,
            start: field("usage_start_time"), end: field("usage_end_time"),
            amount: field("usage.amount"),
            region: field("location.region").value != nil ? field("location.region") : field("location.location"),
            providerUnit: field("usage.unit").value, tags: tags ?? [:],
            vcpu: nil, memory: nil, instanceType: nil, unreadableTags: tags == nil ? field("labels") : nil)
    }

    /// BigQuery writes a repeated `labels` record as a JSON array of `{"key": …, "value": …}`.
    /// None when the cell is empty; nil when it holds anything else (the row is then rejected).
    private static func labels(_ text: String?) -> [String: String]? {
        guard let text else { return [:] }
        // Not JSON is one of the ways the cell can be unreadable; the caller names the cell.
        guard let array = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] else { return nil }
        var labels: [String: String] = [:]
        for entry in array {
            guard let key = entry["key"] as? String, let value = entry["value"] as? String else { return nil }
            labels[key] = value
        }
        return labels
    }
}
