import Foundation
import CarbonModel

/// A provider's unit of measure as a billing export writes it (`Hours`, `Hrs`, `GB-Mo`,
/// `GiB Hours`, `1000 Requests`, `10 Hours`), read the way FOCUS's UnitFormat describes units:
/// an optional whole-number block size, then a unit. Gives a canonical spelling (for mapping
/// rules: `Hrs` and `Hour` are both `Hours`), and, where CarbonMeter has the unit, what one
/// provider unit is in a CarbonMeter unit.
public struct ProviderUnit: Sendable, Hashable {
    /// One provider unit (after the block) is `factor` of CarbonMeter's `symbol`.
    public struct Equivalent: Sendable, Hashable {
        public var symbol: String
        public var factor: Double
    }

    public var raw: String
    /// The leading whole number (`1000 Requests` → 1000); 1 when there is none.
    public var block: Double
    /// The unit in FOCUS's spelling (`GB-Hours`, `Hours`, `vCPU-Hours`), or the text after the
    /// block as written when the unit is not one CarbonMeter reads.
    public var canonical: String
    public var equivalent: Equivalent?

    public init(_ text: String) {
        raw = text
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        block = 1
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, rest.dropFirst(digits.count).first == " ", let number = Double(digits), number > 0 {
            block = number
            rest = rest.dropFirst(digits.count).drop { $0 == " " }
        }
        canonical = String(rest)
        equivalent = nil
        let tokens = rest.split { $0 == "-" || $0 == " " || $0 == "/" || $0 == "_" }.map(String.init)
        switch tokens.count {
        case 1:
            if let time = Self.time(tokens[0]) {
                canonical = time.name
                equivalent = Equivalent(symbol: "h", factor: time.hours)
            } else if let size = Self.size(tokens[0]) {
                canonical = size.name
                equivalent = Equivalent(symbol: "GB", factor: size.gigabytes)
            }
        case 2:
            guard let time = Self.time(tokens[1]) else { break }
            if let size = Self.size(tokens[0]) {
                canonical = "\(size.name)-\(time.name)"
                equivalent = Equivalent(symbol: "GB-h", factor: size.gigabytes * time.hours)
            } else if ["vcpu", "vcpus"].contains(tokens[0].lowercased()) {
                canonical = "vCPU-\(time.name)"
                equivalent = Equivalent(symbol: "vCPU-h", factor: time.hours)
            }
        default: break
        }
    }

    /// Time units, by any of their spellings, as hours.
    private static func time(_ token: String) -> (name: String, hours: Double)? {
        switch token.lowercased() {
        case "s", "sec", "secs", "second", "seconds": ("Seconds", 1.0 / 3600)
        case "min", "mins", "minute", "minutes": ("Minutes", 1.0 / 60)
        case "h", "hr", "hrs", "hour", "hours": ("Hours", 1)
        case "day", "days": ("Days", 24)
        // A month of storage is billed as 730 hours (AWS, Azure, Google Cloud alike).
        case "mo", "mon", "month", "months": ("Months", 730)
        default: nil
        }
    }

    /// Data sizes as gigabytes. Abbreviations are case-sensitive as in FOCUS (`Gb` is a
    /// gigabit, `GB` a gigabyte); spelled-out names are not.
    private static func size(_ token: String) -> (name: String, gigabytes: Double)? {
        let abbreviations: [String: Double] = [
            "B": 1e-9, "KB": 1e-6, "MB": 1e-3, "GB": 1, "TB": 1e3, "PB": 1e6,
            "KiB": 1024 / 1e9, "MiB": 1_048_576 / 1e9, "GiB": 1_073_741_824 / 1e9, "TiB": 1_099_511_627_776 / 1e9,
            "Kb": 1e-6 / 8, "Mb": 1e-3 / 8, "Gb": 1.0 / 8, "Tb": 1e3 / 8,
        ]
        if let gigabytes = abbreviations[token] { return (token, gigabytes) }
        let words: [String: (String, Double)] = [
            "byte": ("B", 1e-9), "bytes": ("B", 1e-9), "kilobyte": ("KB", 1e-6), "kilobytes": ("KB", 1e-6),
            "megabyte": ("MB", 1e-3), "megabytes": ("MB", 1e-3), "gigabyte": ("GB", 1), "gigabytes": ("GB", 1),
            "terabyte": ("TB", 1e3), "terabytes": ("TB", 1e3), "gibibyte": ("GiB", 1_073_741_824 / 1e9),
            "gibibytes": ("GiB", 1_073_741_824 / 1e9), "mebibyte": ("MiB", 1_048_576 / 1e9), "mebibytes": ("MiB", 1_048_576 / 1e9),
            "tebibyte": ("TiB", 1_099_511_627_776 / 1e9), "tebibytes": ("TiB", 1_099_511_627_776 / 1e9),
        ]
        return words[token.lowercased()].map { (name: $0.0, gigabytes: $0.1) }
    }

    /// How many of CarbonMeter's `target` one provider unit (block included) is, when the two
    /// have the same dimension; nil otherwise.
    public func factor(to target: String) -> Double? {
        guard let equivalent, let from = UnitCatalog.definition(of: equivalent.symbol), let to = UnitCatalog.definition(of: target),
            from.dimension == to.dimension
        else { return nil }
        return block * equivalent.factor * from.toCanonical / to.toCanonical
    }
}
