/// Counts of a billing export's rows by what became of them; written into the note beside the
/// export in `done/`, and kept in the collector's store while a large export is read.
public struct BillingConversionSummary: Sendable, Hashable, Codable {
    /// How many lines are listed per unmapped service (the rest are counted only).
    public static let linesListedPerKey = 20
    /// How many unmapped services are listed with their lines.
    public static let keysListed = 200

    public var format: BillingExportFormat
    public var rows = 0
    /// Usage rows that went into records.
    public var usageRows = 0
    /// Records made: one per usage row's identity (legacy formats and CUR 2.0: the line item;
    /// FOCUS: account, sub account, service, product, region, charge period).
    public var usageRecords = 0
    /// Rows sent as rejections: malformed, no tenant, an unmapped service when `unmapped` is `reject`, ….
    public var rejectedRows = 0
    /// Tax, fee, credit and other lines that are not use of a service, by line item (or charge) type.
    public var notUsage: [String: Int] = [:]
    /// Usage of services no rule maps, by product code (left out when `unmapped` is `skip`).
    public var unmapped: [String: Int] = [:]
    /// The first lines of each unmapped service (`part line` in an export of several parts).
    public var unmappedLines: [String: [String]] = [:]
    /// Usage of a provider estimation mode does not know (FOCUS `ProviderName`), by name: its
    /// records carry no estimation details, so they are allocated only where facility data exist.
    public var unknownProviders: [String: Int] = [:]
    /// Parts (files) of the export, and parts left out as byte-identical copies of another part.
    public var parts = 1
    public var duplicateParts: [String] = []

    public init(format: BillingExportFormat) { self.format = format }

    enum CodingKeys: String, CodingKey {
        case format, rows, unmapped, parts
        case usageRows = "usage_rows"
        case usageRecords = "usage_records"
        case rejectedRows = "rejected_rows"
        case notUsage = "not_usage"
        case unmappedLines = "unmapped_lines"
        case unknownProviders = "unknown_providers"
        case duplicateParts = "duplicate_parts"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(BillingExportFormat.self, forKey: .format)
        rows = try container.decodeIfPresent(Int.self, forKey: .rows) ?? 0
        usageRows = try container.decodeIfPresent(Int.self, forKey: .usageRows) ?? 0
        usageRecords = try container.decodeIfPresent(Int.self, forKey: .usageRecords) ?? 0
        rejectedRows = try container.decodeIfPresent(Int.self, forKey: .rejectedRows) ?? 0
        notUsage = try container.decodeIfPresent([String: Int].self, forKey: .notUsage) ?? [:]
        unmapped = try container.decodeIfPresent([String: Int].self, forKey: .unmapped) ?? [:]
        unmappedLines = try container.decodeIfPresent([String: [String]].self, forKey: .unmappedLines) ?? [:]
        unknownProviders = try container.decodeIfPresent([String: Int].self, forKey: .unknownProviders) ?? [:]
        parts = try container.decodeIfPresent(Int.self, forKey: .parts) ?? 1
        duplicateParts = try container.decodeIfPresent([String].self, forKey: .duplicateParts) ?? []
    }

    /// Written with the lists that say nothing (no unmapped lines, no unknown provider, no
    /// duplicate part) left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(rows, forKey: .rows)
        try container.encode(usageRows, forKey: .usageRows)
        try container.encode(usageRecords, forKey: .usageRecords)
        try container.encode(rejectedRows, forKey: .rejectedRows)
        try container.encode(notUsage, forKey: .notUsage)
        try container.encode(unmapped, forKey: .unmapped)
        if !unmappedLines.isEmpty { try container.encode(unmappedLines, forKey: .unmappedLines) }
        if !unknownProviders.isEmpty { try container.encode(unknownProviders, forKey: .unknownProviders) }
        try container.encode(parts, forKey: .parts)
        if !duplicateParts.isEmpty { try container.encode(duplicateParts, forKey: .duplicateParts) }
    }

    /// Counts one row's outcome (`position` names its line, with the part in a multi-part export).
    public mutating func count(_ outcome: BillingRowOutcome, position: String) {
        switch outcome {
        case .blank: return
        case .usage(let item):
            rows += 1
            usageRows += 1
            if let name = item.unknownProvider { unknownProviders[name, default: 0] += 1 }
        case .notUsage(let type):
            rows += 1
            notUsage[type, default: 0] += 1
        case .unmapped(let code):
            rows += 1
            unmapped[code, default: 0] += 1
            if unmappedLines[code] != nil || unmappedLines.count < Self.keysListed {
                var lines = unmappedLines[code] ?? []
                if lines.count < Self.linesListedPerKey { lines.append(position) }
                unmappedLines[code] = lines
            }
        case .rejected:
            rows += 1
            rejectedRows += 1
        }
    }

    /// Adds the counts of another part of the same export.
    public mutating func add(_ other: BillingConversionSummary) {
        rows += other.rows
        usageRows += other.usageRows
        usageRecords += other.usageRecords
        rejectedRows += other.rejectedRows
        notUsage.merge(other.notUsage, uniquingKeysWith: +)
        unmapped.merge(other.unmapped, uniquingKeysWith: +)
        unknownProviders.merge(other.unknownProviders, uniquingKeysWith: +)
        for (code, lines) in other.unmappedLines where unmappedLines[code] != nil || unmappedLines.count < Self.keysListed {
            unmappedLines[code] = Array(((unmappedLines[code] ?? []) + lines).prefix(Self.linesListedPerKey))
        }
    }
}
