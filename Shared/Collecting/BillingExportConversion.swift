import CarbonModel
import RecordParsing
import Foundation

/// What a billing export file became: an NDJSON batch whose line N holds the record made from
/// the file's line N (other lines blank), so that the batch verdict's and the quarantine's line
/// numbers are the export's own; and a summary of what was left out and why.
public struct BillingConversion: Sendable {
    public var body: Data
    /// Lines in `body` that carry something: usage records, and rows that could not be converted
    /// (sent as framing failures, so the preprocessor rejects and quarantines them with the reason).
    public var records: Int
    public var summary: BillingConversionSummary
}

/// Counts of a billing export's rows by what became of them; written into the note beside the
/// file in `done/`.
public struct BillingConversionSummary: Sendable, Hashable, Codable {
    public var format: BillingExportFormat
    public var rows = 0
    public var usageRecords = 0
    /// Rows sent as rejections: malformed, no tenant, an unmapped service when `unmapped` is `reject`, ….
    public var rejectedRows = 0
    /// Tax, fee, credit and other lines that are not use of a service, by line item (or cost) type.
    public var notUsage: [String: Int] = [:]
    /// Usage of services no rule maps, by product code (left out when `unmapped` is `skip`).
    public var unmapped: [String: Int] = [:]

    public init(format: BillingExportFormat) { self.format = format }

    enum CodingKeys: String, CodingKey {
        case format, rows, unmapped
        case usageRecords = "usage_records"
        case rejectedRows = "rejected_rows"
        case notUsage = "not_usage"
    }
}

/// Turns a billing export (CSV) into usage records with a `BillingMapping`. Pure: bytes in,
/// bytes out. A row that cannot be converted does not stop the file: it travels as a framing
/// failure naming its line, column and value, and is quarantined by the preprocessor.
public enum BillingExportConversion {
    public static func convert(_ body: Data, format: BillingExportFormat, mapping: BillingMapping, source: String)
        throws(BatchFramingError) -> BillingConversion
    {
        let rows = try BatchFraming.records(in: body, format: .csv)
        var summary = BillingConversionSummary(format: format)
        var lines: [(position: Int, text: String)] = []
        var occurrences: [String: Int] = [:]
        for row in rows {
            summary.rows += 1
            if let error = row.framingError {
                summary.rejectedRows += 1
                lines.append((row.position, failure(error, raw: String(decoding: row.json, as: UTF8.self))))
                continue
            }
            let raw = String(decoding: row.json, as: UTF8.self)
            guard let cells = cells(row.json) else {
                // Read as no cells, the row would pass for a line that is not usage and be left out.
                summary.rejectedRows += 1
                lines.append((row.position, failure("line \(row.position): the framed row is not a JSON object of cells", raw: raw)))
                continue
            }
            let line = format.line(cells, at: row.position)
            guard line.isUsage else {
                summary.notUsage[line.lineItemType, default: 0] += 1
                continue
            }
            switch record(line, format: format, mapping: mapping, source: source) {
            case .success(var record):
                // Two lines alike in every identifying field (rare: e.g. split pricing) must not
                // collapse into one record; the n-th occurrence in the file gets `#n`.
                let count = occurrences[record.id, default: 0] + 1
                occurrences[record.id] = count
                if count > 1 { record.id += "#\(count)" }
                summary.usageRecords += 1
                lines.append((row.position, record.json()))
            case .failure(.unmapped(let productCode)) where mapping.unmapped == .skip:
                summary.unmapped[productCode, default: 0] += 1
            case .failure(let problem):
                summary.rejectedRows += 1
                lines.append((row.position, failure("line \(row.position): \(problem)", raw: raw)))
            }
        }
        var out = ""
        var next = 1
        for (position, text) in lines {
            // Blank lines keep each record on its export line; NDJSON framing skips them.
            out += String(repeating: "\n", count: max(0, position - next)) + text + "\n"
            next = position + 1
        }
        return BillingConversion(body: Data(out.utf8), records: lines.count, summary: summary)
    }

    /// Why a usage line could not become a record.
    enum Problem: Error, CustomStringConvertible {
        case missing(String)
        case invalid(String, String, String)
        case unmapped(String)
        case noTenant(String?)

        var description: String {
            switch self {
            case .missing(let column): "\(column) is empty"
            case .invalid(let column, let value, let expected): "\(column) \(quoted(value)) is not \(expected)"
            case .unmapped(let code): "no mapping rule for product code \(quoted(code))"
            case .noTenant(let account): "no tenant: neither the tenant tag nor account \(quoted(account ?? "")) is mapped, and no default_tenant"
            }
        }
    }

    static func record(_ line: BillingLine, format: BillingExportFormat, mapping: BillingMapping, source: String)
        -> Result<ActivityLine, Problem>
    {
        Result { () throws(Problem) -> ActivityLine in
            let productCode = try required(line.productCode)
            let usageType = line.usageType.value ?? ""
            guard let rule = mapping.rule(productCode: productCode, usageType: usageType) else { throw .unmapped(productCode) }
            if let tags = line.unreadableTags {
                throw .invalid(tags.column, tags.value ?? "", #"a JSON array of {"key": …, "value": …} strings"#)
            }
            guard let tenant = mapping.tenant(account: line.account, tags: line.tags) else { throw .noTenant(line.account) }
            let startText = try required(line.start), endText = try required(line.end)
            guard let start = time(startText) else { throw .invalid(line.start.column, startText, "a time") }
            guard let end = time(endText) else { throw .invalid(line.end.column, endText, "a time") }
            let amountText = try required(line.amount)
            guard let amount = Double(amountText), amount.isFinite else { throw .invalid(line.amount.column, amountText, "a number") }
            let region = try required(line.region)

            var details: [String: String] = ["provider_product": productCode, "provider_region": region]
            if !usageType.isEmpty { details["usage_type"] = usageType }
            if let account = line.account { details["account"] = account }
            if let unit = line.providerUnit { details["provider_unit"] = unit }
            if let type = line.instanceType { details["instance_type"] = type }
            // `Double` reads "nan" and "inf" too: such a cell is no number of vCPUs.
            let vcpu = line.vcpu.flatMap { Double($0) }.flatMap { $0.isFinite ? $0 : nil }
            let memory = line.memory.flatMap(gibibytes)
            if let vcpu { details["vcpu"] = decimal(vcpu) }
            if let memory { details["memory_gib"] = decimal(memory) }

            var value = amount
            switch rule.scaleBy {
            case .vcpu?:
                guard let vcpu else { throw line.vcpu.map { .invalid("product/vcpu", $0, "a number of vCPUs") } ?? .missing("product/vcpu") }
                value *= vcpu
            case .memoryGiB?:
                guard let memory else { throw line.memory.map { .invalid("product/memory", $0, "a memory size") } ?? .missing("product/memory") }
                value *= memory
            case nil: break
            }
            value *= rule.multiplyBy
            let resource = line.resource.flatMap { $0.isEmpty ? nil : $0 }
            let idParts = [line.account ?? "", productCode, usageType, line.operation ?? "", resource ?? "", line.lineItemType, startText, endText]
            return ActivityLine(
                source: source, id: idParts.joined(separator: "|"), kind: "usage", start: Timestamp.format(start),
                end: Timestamp.format(end), value: value, unit: rule.unit, region: mapping.region(region), product: rule.product,
                tenant: tenant, resource: resource, tags: details)
        }
    }

    private static func required(_ field: Field) throws(Problem) -> String {
        guard let value = field.value, !value.isEmpty else { throw .missing(field.column) }
        return value
    }

    /// RFC 3339 (AWS) or BigQuery's `2024-01-01 00:00:00 UTC`.
    static func time(_ text: String) -> Int64? {
        var text = text
        if text.hasSuffix(" UTC") { text = String(text.dropLast(4)) + "Z" }
        return Timestamp.parse(text)
    }

    /// `8 GiB`, `0.5 GiB`, `1,024 GiB` or `16 GB` (AWS writes GiB) → GiB.
    static func gibibytes(_ text: String) -> Double? {
        let parts = text.replacingOccurrences(of: ",", with: "").split(separator: " ")
        guard let first = parts.first, let number = Double(first), number.isFinite else { return nil }
        switch parts.dropFirst().first?.lowercased() {
        case nil, "gib", "gb": return number
        case "mib", "mb": return number / 1024
        case "tib", "tb": return number * 1024
        default: return nil
        }
    }

    private static func decimal(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    /// A row sent on as a framing failure (`FramingFailure`'s shape): the preprocessor rejects it
    /// with `error` and keeps `raw`.
    private static func failure(_ error: String, raw: String) -> String {
        let encoder = JSONEncoder()
        // Sorted keys put `$framing_error` first, which is how the preprocessor recognises it.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Two strings always encode: the empty object is never reached.
        let data = (try? encoder.encode(["$framing_error": error, "$raw": raw])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// A framed CSV row (a JSON object of strings) as header → cell; nil when it is not one.
    private static func cells(_ json: Data) -> [String: String]? {
        // The framer writes these rows, so this fails only on a bug; the caller rejects the row.
        guard let object = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else { return nil }
        var cells: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case let text as String: cells[key] = text
            case let number as NSNumber: cells[key] = number.stringValue
            default: continue
            }
        }
        return cells
    }
}

private func quoted(_ text: String) -> String { "\"\(text)\"" }
