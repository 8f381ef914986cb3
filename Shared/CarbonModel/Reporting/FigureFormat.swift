import Foundation

/// How figures are written for people. The dashboard, the HTML inventory report and
/// `carbonctl`'s tables all use it, so a figure reads the same everywhere; CSV and JSON answers
/// keep full precision and are not written through it.
///
/// - Emissions take the unit that keeps the number readable: tonnes of CO2e from 1,000 kg,
///   kilograms from 1 kg, grams below (an intensity per usage unit is often grams).
/// - Decimals follow the size of the number in its unit: none from 1,000, one from 100, two
///   from 10, three from 1, so every figure of 1 or more has at least four significant digits;
///   below 1, three significant digits.
/// - Thousands are separated by commas, and nothing is written in scientific notation.
public enum FigureFormat {
    /// `kg` kilograms of CO2e with its unit: "722.7 t", "8.035 t", "56.25 kg", "62.4 g".
    public static func emissions(kg: Double) -> String {
        guard kg.isFinite else { return "—" }
        let size = abs(kg)
        if size >= 1_000 { return number(kg / 1_000) + " t" }
        if size >= 1 || size == 0 { return number(kg) + " kg" }
        return number(kg * 1_000) + " g"
    }

    /// A quantity in its own unit (kWh, a usage unit), without the unit.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "—" }
        let size = abs(value)
        let decimals: Int
        switch size {
        case 0: return "0"
        case 1_000...: decimals = 0
        case 100...: decimals = 1
        case 10...: decimals = 2
        case 1...: decimals = 3
        default: decimals = min(12, 2 - Int(log10(size).rounded(.down)))
        }
        let text = String(format: "%.\(decimals)f", size)
        let parts = text.split(separator: ".", maxSplits: 1)
        let whole = grouped(String(parts[0]))
        let sign = value < 0 && text.contains(where: { $0 != "0" && $0 != "." }) ? "-" : ""
        return sign + whole + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// A change, always signed: "+1.250 t", "-375.0 kg".
    public static func change(kg: Double) -> String {
        let text = emissions(kg: kg)
        return kg > 0 ? "+" + text : text
    }

    /// "1234567" as "1,234,567".
    private static func grouped(_ digits: String) -> String {
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}
