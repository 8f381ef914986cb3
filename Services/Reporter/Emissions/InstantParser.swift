import CarbonModel

/// RFC 3339 instants as epoch milliseconds, for `as_of` and the calculator's `calculated_at`
/// (`2024-01-31T05:00:00.123Z`). ``Timestamp`` truncates to seconds; versions calculated
/// within one second of each other need the milliseconds to be told apart.
enum InstantParser {
    static func milliseconds(_ text: String) -> Int64? {
        guard let seconds = Timestamp.parse(text) else { return nil }
        var millis: Int64 = 0
        if let dot = text.firstIndex(of: ".") {
            var digits = 0
            for character in text[text.index(after: dot)...] {
                guard let digit = character.wholeNumberValue else { break }
                if digits < 3 { millis = millis * 10 + Int64(digit) }
                digits += 1
            }
            for _ in min(digits, 3)..<3 { millis *= 10 }
        }
        // Timestamp.parse drops the fraction; it is added back here.
        return seconds * 1000 + millis
    }
}
