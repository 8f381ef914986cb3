import CarbonModel
import Foundation

/// A usage row converted: the identity it is summed under (`key`, which is also the record's
/// id), this row's value, and the record (nil when the caller said it holds the key already:
/// only the value is added then). Rows with the same key are one record whose value is their sum.
public struct BillingItem: Sendable, Hashable {
    public var key: String
    public var value: Double
    public var record: ActivityLine?
    /// The FOCUS `ProviderName` estimation mode does not know, when the rule asked for estimation.
    public var unknownProvider: String?
}

/// What became of one row of a billing export.
public enum BillingRowOutcome: Sendable, Hashable {
    /// An empty row: nothing.
    case blank
    /// Use of a mapped service.
    case usage(BillingItem)
    /// Tax, credit, fee, a correction of an earlier period, …: counted by this type.
    case notUsage(String)
    /// Use of a service no rule maps, left out (`unmapped: skip`): counted by this product code.
    case unmapped(String)
    /// A row that cannot become a record; the message names its line, column and value.
    case rejected(String)
}

/// Turns the rows of one export file into usage items with a `BillingMapping`, one row at a
/// time, so it works the same on a small file read whole and on a 10 GB export streamed in
/// chunks. Pure: no I/O.
public struct BillingRowConverter: Sendable {
    public let format: BillingExportFormat
    public let mapping: BillingMapping
    public let source: String
    /// Prefix of every line reference (`part-00002.csv.gz line 7`); nil for a single file.
    public let partLabel: String?
    private var columns: BillingColumns
    /// Rule decisions by product code, usage type and unit: a bill repeats few of them.
    private var ruleCache: [String: Int] = [:]
    private var unitCache: [String: ProviderUnit] = [:]
    /// The largest value a record can hold (the validator's bound on micro-units, rounded down).
    static let largestValue = 9e12

    /// Reads the header row; throws when it is not a header of `format`.
    public init(format: BillingExportFormat, mapping: BillingMapping, source: String, header: CSVRow, partLabel: String? = nil)
        throws(BillingHeaderError)
    {
        self.format = format
        self.mapping = mapping
        self.source = source
        self.partLabel = partLabel
        do { columns = try BillingColumns(format: format, header: header) } catch {
            throw BillingHeaderError(partLabel.map { "\($0): \(error.message)" } ?? error.message)
        }
    }

    public var columnCount: Int { columns.names.count }

    /// How a row's line is named in messages and listings: `line 7`, or `part.csv line 7`.
    public func position(_ line: Int) -> String { partLabel.map { "\($0) line \(line)" } ?? "line \(line)" }

    /// Converts one data row. `isKnown` says whether the caller already holds a record of a key,
    /// in which case the record is not built again (the item carries the value only).
    public mutating func convert(_ row: CSVRow, isKnown: ((String) -> Bool)? = nil) -> BillingRowOutcome {
        if let error = row.error { return .rejected("\(position(row.line)): \(error)") }
        if row.isBlank { return .blank }
        guard row.count == columns.names.count else {
            return .rejected("\(position(row.line)): expected \(columns.names.count) fields, found \(row.count)")
        }
        let line = columns.line(row)
        guard line.isUsage else { return .notUsage(line.lineItemType) }
        switch item(line, isKnown: isKnown) {
        case .success(let item): return .usage(item)
        case .failure(.unmapped(let code)) where mapping.unmapped == .skip: return .unmapped(code)
        case .failure(let problem): return .rejected("\(position(row.line)): \(problem)")
        }
    }

    /// Why a usage line could not become a record.
    enum Problem: Error, CustomStringConvertible {
        case missing(String)
        case invalid(String, String, String)
        case unmapped(String)
        case noTenant(account: String?, subAccount: String?)
        case unconvertible(column: String, unit: String, target: String)

        var description: String {
            switch self {
            case .missing(let column): "\(column) is empty"
            case .invalid(let column, let value, let expected): "\(column) \(quoted(value)) is not \(expected)"
            case .unmapped(let code): "no mapping rule for product code \(quoted(code))"
            case .noTenant(let account, let subAccount?):
                "no tenant: neither the tenant tag nor sub account \(quoted(subAccount)) nor account \(quoted(account ?? "")) is mapped, and no default_tenant"
            case .noTenant(let account, nil):
                "no tenant: neither the tenant tag nor account \(quoted(account ?? "")) is mapped, and no default_tenant"
            case .unconvertible(let column, let unit, let target):
                "\(column) \(quoted(unit)) does not convert to \(target); give the rule a consumed_unit to match and a multiply_by"
            }
        }
    }

    private mutating func item(_ line: BillingLine, isKnown: ((String) -> Bool)?) -> Result<BillingItem, Problem> {
        Result { () throws(Problem) -> BillingItem in try makeItem(line, isKnown: isKnown) }
    }

    private mutating func makeItem(_ line: BillingLine, isKnown: ((String) -> Bool)?) throws(Problem) -> BillingItem {
        let focus = format == .focus
        let productCode = try required(line.productCode)
        let usageType = line.usageType.value ?? ""
        let unitColumn = line.amount.column == "PricingQuantity" ? "PricingUnit" : "ConsumedUnit"
        let unit = focus ? providerUnit(line.providerUnit ?? "") : nil
        guard let ruleIndex = ruleIndex(productCode: productCode, usageType: usageType, unit: unit) else { throw .unmapped(productCode) }
        let rule = mapping.rules[ruleIndex]
        if let tags = line.unreadableTags {
            throw .invalid(tags.column, tags.value ?? "", format == .gcpBigQuery ? #"a JSON array of {"key": …, "value": …} strings"# : "a JSON object")
        }
        guard let tenant = mapping.tenant(account: line.account, subAccount: line.subAccount, tags: line.tags) else {
            throw .noTenant(account: line.account, subAccount: line.subAccount)
        }
        let startText = try required(line.start), endText = try required(line.end)
        guard let start = Self.time(startText) else { throw .invalid(line.start.column, startText, "a time") }
        guard let end = Self.time(endText) else { throw .invalid(line.end.column, endText, "a time") }
        let amountText = try required(line.amount)
        guard let amount = Double(amountText), amount.isFinite else { throw .invalid(line.amount.column, amountText, "a number") }
        guard amount >= 0 else { throw .invalid(line.amount.column, amountText, "a quantity of use (it is negative)") }
        let region: String
        if let value = line.region.value, !value.isEmpty {
            region = value
        } else if focus, let fallback = mapping.defaultRegion {
            region = fallback
        } else {
            throw .missing(line.region.column)
        }

        // `Double` reads "nan" and "inf" too: such a cell is no number of vCPUs.
        let vcpu = line.vcpu.flatMap { Double($0) }.flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
        // Read only where it is used (FOCUS records carry no per-row memory).
        let memory = rule.scaleBy == .memoryGiB || !focus ? line.memory.flatMap(Self.gibibytes) : nil
        var value = amount
        var scaled = false
        switch rule.scaleBy {
        case .vcpu?:
            if vcpu == nil, let details = line.unreadableDetails { throw .invalid(details.column, details.value ?? "", "a JSON object") }
            guard let vcpu else { throw line.vcpu.map { .invalid(line.vcpuColumn, $0, "a number of vCPUs") } ?? .missing(line.vcpuColumn) }
            value *= vcpu
            scaled = true
        case .memoryGiB?:
            if memory == nil, let details = line.unreadableDetails { throw .invalid(details.column, details.value ?? "", "a JSON object") }
            guard let memory else { throw line.memory.map { .invalid(line.memoryColumn, $0, "a memory size") } ?? .missing(line.memoryColumn) }
            value *= memory
            scaled = true
        case nil: break
        }
        if let unit, !rule.multiplyByGiven {
            // FOCUS: convert the provider's unit to the rule's (instance hours × vCPUs are vCPU-hours).
            var target = rule.unit
            if scaled {
                guard unit.equivalent?.symbol == "h" else { throw .unconvertible(column: unitColumn, unit: unit.raw, target: rule.unit) }
                let product = rule.scaleBy == .vcpu ? "vCPU-h" : "GiB-h"
                guard let definition = UnitCatalog.definition(of: rule.unit), let scaledUnit = UnitCatalog.definition(of: product),
                    definition.dimension == scaledUnit.dimension
                else { throw .unconvertible(column: unitColumn, unit: unit.raw, target: rule.unit) }
                value *= unit.block * (unit.equivalent?.factor ?? 1) * scaledUnit.toCanonical / definition.toCanonical
                target = ""
            }
            if !target.isEmpty {
                if let factor = unit.factor(to: target) {
                    value *= factor
                } else if unit.canonical == target || unit.raw == target {
                    value *= unit.block
                } else {
                    throw .unconvertible(column: unitColumn, unit: unit.raw, target: target)
                }
            }
        } else {
            if let unit { value *= unit.block }
            value *= rule.multiplyBy
        }
        guard value.isFinite, value <= Self.largestValue else {
            throw .invalid(line.amount.column, amountText, "a quantity that fits a record (\(rule.unit) after conversion: \(value))")
        }

        var provider: CloudProvider?
        var unknownProvider: String?
        switch format {
        case .awsCUR, .awsCUR2: provider = .aws
        case .gcpBigQuery: provider = .gcp
        case .focus:
            if let name = line.providerName {
                provider = mapping.provider(named: name)
                if provider == nil, rule.resourceType != nil { unknownProvider = name }
            }
        }
        let resource = line.resource.flatMap { $0.isEmpty ? nil : $0 }
        let (startTime, endTime) = (Timestamp.format(start), Timestamp.format(end))
        let key: String
        var kept: [(String, String)] = []
        if focus {
            for tag in mapping.keepTags { if let tagged = line.tags[tag] { kept.append((tag, tagged)) } }
            var parts = [
                line.account ?? "", line.subAccount ?? "", productCode, rule.product, region, startTime, endTime, unit?.canonical ?? "",
                line.instanceSeries ?? "",
                // The tenant is part of the identity only when a tag names it (else the account does).
                mapping.tenantTag.flatMap { line.tags[$0] } ?? "",
            ]
            parts += kept.map { "\($0.0)=\($0.1)" }
            key = parts.map(Self.escaped).joined(separator: "|")
        } else {
            // The provider's line-item identity, exactly as CarbonMeter has always written it. CUR
            // 2.0 writes times with milliseconds; written as the legacy report does, the same line
            // item has the same id in both, so a source moving to Data Exports revises its records.
            let times = format == .awsCUR2 ? (startTime, endTime) : (startText, endText)
            key = [line.account ?? "", productCode, usageType, line.operation ?? "", resource ?? "", line.lineItemType, times.0, times.1]
                .joined(separator: "|")
        }
        if isKnown?(key) == true { return BillingItem(key: key, value: value, record: nil, unknownProvider: unknownProvider) }

        var details: [String: String] = ["provider_product": productCode, "provider_region": region]
        if let account = line.account { details["account"] = account }
        if focus {
            if let name = line.providerName { details["provider_name"] = name }
            if let sub = line.subAccount { details["sub_account"] = sub }
            if let category = line.serviceCategory { details["service_category"] = category }
            if let unit { details["provider_unit"] = unit.canonical }
            if let series = line.instanceSeries { details["instance_series"] = series }
            for (tag, tagged) in kept { details[tag] = tagged }
        } else {
            if !usageType.isEmpty { details["usage_type"] = usageType }
            if let unit = line.providerUnit { details["provider_unit"] = unit }
            if let type = line.instanceType { details["instance_type"] = type }
            if let vcpu { details["vcpu"] = Self.decimal(vcpu) }
            if let memory { details["memory_gib"] = Self.decimal(memory) }
            if format == .awsCUR2, let series = line.instanceSeries { details["instance_series"] = series }
        }
        let estimated = rule.resourceType != nil && provider != nil
        let record = ActivityLine(
            source: source, id: key, kind: "usage", start: startTime, end: endTime, value: value, unit: rule.unit,
            region: mapping.region(region), product: rule.product, tenant: tenant, resource: focus ? nil : resource,
            provider: estimated ? provider?.rawValue : nil, resourceType: estimated ? rule.resourceType?.rawValue : nil,
            processor: estimated ? rule.processor : nil, tags: details)
        return BillingItem(key: key, value: value, record: record, unknownProvider: unknownProvider)
    }

    private mutating func ruleIndex(productCode: String, usageType: String, unit: ProviderUnit?) -> Int? {
        let cacheKey = productCode + "\u{0}" + usageType + "\u{0}" + (unit?.raw ?? "")
        if let known = ruleCache[cacheKey] { return known < 0 ? nil : known }
        let found = mapping.ruleIndex(productCode: productCode, usageType: usageType, unit: unit)
        if ruleCache.count > 10_000 { ruleCache.removeAll(keepingCapacity: true) }
        ruleCache[cacheKey] = found ?? -1
        return found
    }

    private mutating func providerUnit(_ text: String) -> ProviderUnit {
        if let known = unitCache[text] { return known }
        let unit = ProviderUnit(text)
        if unitCache.count > 1_000 { unitCache.removeAll(keepingCapacity: true) }
        unitCache[text] = unit
        return unit
    }

    private func required(_ field: Field) throws(Problem) -> String {
        guard let value = field.value, !value.isEmpty else { throw .missing(field.column) }
        return value
    }

    /// `|` separates the parts of a FOCUS record's identity; inside a part it is written `\|`.
    private static func escaped(_ part: String) -> String {
        guard part.utf8.contains(where: { $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: "\\") }) else { return part }
        return part.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
    }

    /// RFC 3339 (AWS, FOCUS) or BigQuery's `2024-01-01 00:00:00 UTC`.
    static func time(_ text: String) -> Int64? {
        var text = text
        if text.hasSuffix(" UTC") { text = String(text.dropLast(4)) + "Z" }
        return Timestamp.parse(text)
    }

    /// `8 GiB`, `0.5 GiB`, `1,024 GiB`, `16 GB` (AWS writes GiB) or a bare number (FOCUS
    /// `MemorySize`, in GiB) → GiB.
    static func gibibytes(_ text: String) -> Double? {
        let plain = text.utf8.contains(UInt8(ascii: ",")) ? text.replacingOccurrences(of: ",", with: "") : text
        let parts = plain.split(separator: " ")
        guard let first = parts.first, let number = Double(first), number.isFinite, number > 0 else { return nil }
        switch parts.dropFirst().first?.lowercased() {
        case nil, "gib", "gb": return number
        case "mib", "mb": return number / 1024
        case "tib", "tb": return number * 1024
        default: return nil
        }
    }

    static func decimal(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}

private func quoted(_ text: String) -> String { "\"\(text)\"" }
