import Foundation

/// An export's header that cannot be read as the format's: a header row that is not CSV, a
/// column without a name or named twice, a column the format cannot do without. Names the file
/// (when the caller knows it) and the line.
public struct BillingHeaderError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The columns of one export's header, resolved once per file: which cell of a row holds each
/// fact a usage record needs, for the export's format. `line` then reads a row by index, so a
/// row costs no dictionary and no string for the columns nobody reads.
public struct BillingColumns: Sendable {
    public let format: BillingExportFormat
    public let names: [String]
    private let index: [String: Int]
    /// AWS `resourceTags/…` columns: (tag name, column).
    private let tagColumns: [(tag: String, column: Int)]
    private var keyValues = KeyValueCell()

    /// Columns a format cannot do without: a file whose header lacks one is not of that format.
    /// (The legacy formats name no required columns: their rows are rejected one by one, as before.)
    static func required(_ format: BillingExportFormat) -> [[String]] {
        switch format {
        case .focus:
            [["BillingAccountId"], ["ServiceName"], ["ChargeCategory"], ["ChargePeriodStart"], ["ChargePeriodEnd"],
             ["ConsumedQuantity", "PricingQuantity"]]
        case .awsCUR2:
            [["line_item_usage_account_id"], ["line_item_line_item_type"], ["line_item_product_code", "product_servicecode"],
             ["line_item_usage_start_date"], ["line_item_usage_end_date"], ["line_item_usage_amount"]]
        case .awsCUR, .gcpBigQuery: []
        }
    }

    /// Reads the header row; throws when it has an error, an empty or repeated column name, or
    /// lacks a column the format requires.
    public init(format: BillingExportFormat, header: CSVRow) throws(BillingHeaderError) {
        if let error = header.error { throw BillingHeaderError("CSV header (line \(header.line)): \(error)") }
        var names: [String] = []
        var index: [String: Int] = [:]
        for (offset, raw) in header.cells.enumerated() {
            // Hand-written headers often have a space after each comma.
            let name = raw.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw BillingHeaderError("CSV header (line \(header.line)): column \(offset + 1) has no name") }
            guard index[name] == nil else { throw BillingHeaderError("CSV header (line \(header.line)): duplicate column '\(name)'") }
            index[name] = offset
            names.append(name)
        }
        for alternatives in Self.required(format) where !alternatives.contains(where: { index[$0] != nil }) {
            throw BillingHeaderError(
                "not a \(format.rawValue) export: the header (line \(header.line)) has no \(alternatives.joined(separator: " or ")) column")
        }
        self.format = format
        self.names = names
        self.index = index
        tagColumns = format == .awsCUR
            ? names.enumerated().compactMap { offset, name in
                guard name.hasPrefix("resourceTags/") else { return nil }
                var key = name.dropFirst("resourceTags/".count)
                if key.hasPrefix("user:") { key = key.dropFirst("user:".count) }
                return (String(key), offset)
            } : []
    }

    /// The row as a neutral billing line.
    public mutating func line(_ row: CSVRow) -> BillingLine {
        switch format {
        case .awsCUR: awsLine(row)
        case .awsCUR2: cur2Line(row)
        case .gcpBigQuery: gcpLine(row)
        case .focus: focusLine(row)
        }
    }

    // MARK: Cells

    private func cell(_ name: String, _ row: CSVRow) -> String? { index[name].flatMap(row.cell) }

    private func field(_ name: String, _ row: CSVRow) -> Field { Field(column: name, value: cell(name, row)) }

    /// The first of `names` whose cell is filled, else the first of them in the header (so an
    /// error names a column the file has), else the first.
    private func field(anyOf names: [String], _ row: CSVRow) -> Field {
        for name in names { if let value = cell(name, row) { return Field(column: name, value: value) } }
        return Field(column: names.first { index[$0] != nil } ?? names[0], value: nil)
    }

    // MARK: AWS (legacy CUR)

    /// Line item types that are use of a service; the rest (Tax, Fee, Credit, Refund, RIFee,
    /// SavingsPlanNegation, …) are money, not usage. The same in CUR 2.0.
    static let awsUsageTypes: Set<String> = ["Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"]

    private func awsLine(_ row: CSVRow) -> BillingLine {
        var tags: [String: String] = [:]
        for (tag, column) in tagColumns { if let value = row.cell(column) { tags[tag] = value } }
        let lineItemType = cell("lineItem/LineItemType", row)
        return BillingLine(
            line: row.line,
            isUsage: lineItemType.map { Self.awsUsageTypes.contains($0) } ?? true,
            lineItemType: lineItemType ?? "Usage",
            account: cell("lineItem/UsageAccountId", row),
            productCode: field("lineItem/ProductCode", row), usageType: field("lineItem/UsageType", row),
            operation: cell("lineItem/Operation", row), resource: cell("lineItem/ResourceId", row),
            start: field("lineItem/UsageStartDate", row), end: field("lineItem/UsageEndDate", row),
            amount: field("lineItem/UsageAmount", row),
            region: field(anyOf: ["product/region", "product/regionCode"], row),
            providerUnit: cell("pricing/unit", row), tags: tags,
            vcpu: cell("product/vcpu", row), memory: cell("product/memory", row), instanceType: cell("product/instanceType", row))
    }

    // MARK: AWS Data Exports (CUR 2.0)

    private mutating func cur2Line(_ row: CSVRow) -> BillingLine {
        var tags: [String: String] = [:]
        var unreadableTags: Field?
        if let text = cell("resource_tags", row) {
            if let map = keyValues.object(text) {
                for (key, value) in map {
                    // User tags are keyed `user_<name>` (CUR 2.0) or `user:<name>` (as in legacy CUR).
                    var name = Substring(key)
                    if name.hasPrefix("user_") || name.hasPrefix("user:") { name = name.dropFirst(5) }
                    tags[String(name)] = value
                }
            } else {
                unreadableTags = Field(column: "resource_tags", value: text)
            }
        }
        var product: [String: String] = [:]
        var unreadableDetails: Field?
        if let text = cell("product", row) {
            if let map = keyValues.object(text) { product = map } else { unreadableDetails = Field(column: "product", value: text) }
        }
        let lineItemType = cell("line_item_line_item_type", row)
        return BillingLine(
            line: row.line,
            isUsage: lineItemType.map { Self.awsUsageTypes.contains($0) } ?? true,
            lineItemType: lineItemType ?? "Usage",
            account: cell("line_item_usage_account_id", row),
            productCode: field(anyOf: ["line_item_product_code", "product_servicecode"], row),
            usageType: field("line_item_usage_type", row),
            operation: cell("line_item_operation", row), resource: cell("line_item_resource_id", row),
            start: field("line_item_usage_start_date", row), end: field("line_item_usage_end_date", row),
            amount: field("line_item_usage_amount", row),
            region: field("product_region_code", row),
            providerUnit: cell("pricing_unit", row), tags: tags,
            vcpu: product["vcpu"], memory: product["memory"],
            instanceType: cell("product_instance_type", row) ?? product["instanceType"],
            instanceSeries: cell("product_instance_family", row), vcpuColumn: "product[vcpu]", memoryColumn: "product[memory]",
            unreadableTags: unreadableTags, unreadableDetails: unreadableDetails)
    }

    // MARK: GCP

    /// BigQuery names nested fields `a.b`; a query that flattens them often writes `a_b`.
    private func gcpField(_ name: String, _ row: CSVRow) -> Field {
        if index[name] != nil { return field(name, row) }
        let underscored = name.replacingOccurrences(of: ".", with: "_")
        return index[underscored] != nil ? field(underscored, row) : Field(column: name, value: nil)
    }

    private mutating func gcpLine(_ row: CSVRow) -> BillingLine {
        let costType = gcpField("cost_type", row).value
        let labelsField = gcpField("labels", row)
        let labels = labelsField.value.map { keyValues.keyValueArray($0) } ?? [:]
        let regionField = gcpField("location.region", row)
        return BillingLine(
            line: row.line,
            isUsage: costType.map { $0 == "regular" } ?? true,
            lineItemType: costType ?? "regular",
            account: gcpField("project.id", row).value,
            productCode: gcpField("service.description", row), usageType: gcpField("sku.description", row),
            operation: gcpField("sku.id", row).value, resource: gcpField("resource.name", row).value,
            start: gcpField("usage_start_time", row), end: gcpField("usage_end_time", row),
            amount: gcpField("usage.amount", row),
            region: regionField.value != nil ? regionField : gcpField("location.location", row),
            providerUnit: gcpField("usage.unit", row).value, tags: labels ?? [:],
            vcpu: nil, memory: nil, instanceType: nil, unreadableTags: labels == nil ? labelsField : nil)
    }

    // MARK: FOCUS

    private mutating func focusLine(_ row: CSVRow) -> BillingLine {
        let category = cell("ChargeCategory", row)
        let correction = cell("ChargeClass", row) == "Correction"
        let unusedCommitment = cell("CommitmentDiscountStatus", row) == "Unused"
        var lineItemType = category ?? "(no ChargeCategory)"
        if category == "Usage", correction { lineItemType = "Usage (Correction)" }
        if category == "Usage", unusedCommitment { lineItemType = "Usage (unused commitment)" }

        var tags: [String: String] = [:]
        var unreadableTags: Field?
        if let text = cell("Tags", row) {
            if let map = keyValues.object(text) { tags = map } else { unreadableTags = Field(column: "Tags", value: text) }
        }
        var details: [String: String] = [:]
        var unreadableDetails: Field?
        if let text = cell("SkuPriceDetails", row) {
            if let map = keyValues.object(text) { details = map } else { unreadableDetails = Field(column: "SkuPriceDetails", value: text) }
        }
        // ConsumedQuantity is the use in the provider's measure; a provider that fills only the
        // pricing columns on a row is read from PricingQuantity and PricingUnit.
        let consumed = field("ConsumedQuantity", row)
        let usePricing = consumed.value == nil && cell("PricingQuantity", row) != nil
        let amount = usePricing ? field("PricingQuantity", row) : consumed
        let unit = usePricing ? cell("PricingUnit", row) : cell("ConsumedUnit", row)
        return BillingLine(
            line: row.line,
            isUsage: category == "Usage" && !correction && !unusedCommitment,
            lineItemType: lineItemType,
            account: cell("BillingAccountId", row), subAccount: cell("SubAccountId", row),
            providerName: cell("ProviderName", row),
            productCode: field("ServiceName", row), usageType: field(anyOf: ["SkuMeter", "SkuId"], row),
            operation: nil, resource: cell("ResourceId", row),
            start: field("ChargePeriodStart", row), end: field("ChargePeriodEnd", row),
            amount: amount, region: field("RegionId", row), providerUnit: unit,
            serviceCategory: cell("ServiceCategory", row), tags: tags,
            vcpu: details["CoreCount"], memory: details["MemorySize"], instanceType: details["InstanceType"],
            instanceSeries: details["InstanceSeries"], vcpuColumn: "SkuPriceDetails.CoreCount", memoryColumn: "SkuPriceDetails.MemorySize",
            unreadableTags: unreadableTags, unreadableDetails: unreadableDetails)
    }
}
