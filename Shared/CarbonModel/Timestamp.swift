/// RFC 3339 times as epoch seconds, parsed and formatted by hand: Foundation's
/// `ISO8601DateFormatter` is slow on Linux and this runs for every field of every record.
public enum Timestamp {
    /// The first instant a record may cover: 2000-01-01T00:00:00Z. Earlier dates are typos
    /// far more often than history.
    public static let earliest: Int64 = CalendarMonth.daysFromCivil(2000, 1, 1) * 86_400
    /// The last instant a record may reach (exclusive end of 2100): 2101-01-01T00:00:00Z.
    public static let latest: Int64 = CalendarMonth.daysFromCivil(2101, 1, 1) * 86_400

    /// Parses `2024-01-31T23:30:00Z`, `2024-01-31T23:30:00+08:00` (any offset, `-00:00` too),
    /// with optional fractional seconds (truncated: records are aligned to whole seconds), and a
    /// bare date `2024-01-01` as midnight UTC (factor validity periods are written that way).
    /// `t`/`z` in lower case and a space instead of `T` are accepted, as RFC 3339 permits.
    /// A time without a zone is rejected: it would be ambiguous. Nil when `s` is not such a time.
    public static func parse(_ s: String) -> Int64? {
        var text = s
        return text.withUTF8 { parse(bytes: $0) }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` in UTC.
    public static func format(_ epoch: Int64) -> String {
        let days = TimeSplitter.floorDivide(epoch, 86_400)
        let seconds = Int(epoch - days * 86_400)
        let (year, month, day) = CalendarMonth.civilFromDays(days)
        var out = year < 0 ? "-" + pad(-year, 4) : pad(year, 4)
        out += "-" + pad(month, 2) + "-" + pad(day, 2)
        out += "T" + pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2) + "Z"
        return out
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        let count = bytes.count
        guard count >= 10 else { return nil }

        /// The decimal number in `bytes[from ..< from + width]`, nil unless all are digits.
        func number(_ from: Int, _ width: Int) -> Int? {
            guard from + width <= count else { return nil }
            var value = 0
            for index in from..<(from + width) {
                let digit = Int(bytes[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        func byte(_ index: Int, is expected: Character) -> Bool {
            index < count && expected.asciiValue == bytes[index]
        }

        guard let year = number(0, 4), byte(4, is: "-"), let month = number(5, 2), byte(7, is: "-"),
            let day = number(8, 2), (1...12).contains(month),
            (1...TimeSplitter.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        let days = CalendarMonth.daysFromCivil(year, month, day)
        if count == 10 { return days * 86_400 }

        guard byte(10, is: "T") || byte(10, is: "t") || byte(10, is: " "),
            let hour = number(11, 2), byte(13, is: ":"), let minute = number(14, 2), byte(16, is: ":"),
            let second = number(17, 2),
            // 60 is a leap second, which RFC 3339 allows; it counts as the next minute's first second.
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var index = 19
        if byte(index, is: ".") {
            index += 1
            let digitsStart = index
            while index < count, (48...57).contains(bytes[index]) { index += 1 }
            guard index > digitsStart else { return nil }
        }

        var offsetSeconds = 0
        if byte(index, is: "Z") || byte(index, is: "z") {
            index += 1
        } else if byte(index, is: "+") || byte(index, is: "-") {
            let sign = byte(index, is: "-") ? -1 : 1
            guard let offsetHours = number(index + 1, 2), byte(index + 3, is: ":"),
                let offsetMinutes = number(index + 4, 2), offsetHours <= 23, offsetMinutes <= 59
            else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
            index += 6
        } else {
            return nil
        }
        guard index == count else { return nil }

        let local = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return local - Int64(offsetSeconds)
    }
}
