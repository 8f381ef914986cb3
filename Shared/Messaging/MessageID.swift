import Foundation

/// Message ids: time-ordered (12 hex digits of milliseconds, then 16 random hex digits) so
/// that inbox and outbox indexes grow at their right edge instead of dirtying random pages.
public enum MessageID {
    public static func make(now: Date = Date()) -> String {
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        var generator = SystemRandomNumberGenerator()
        return hex(millis, width: 12) + hex(generator.next(), width: 16)
    }

    /// A deterministic id for the `index`-th message derived from `input`, so that replicas
    /// that process the same input produce the same ids and the next stage de-duplicates them.
    public static func derived(from input: String, stage: String, index: Int = 0) -> String {
        "\(input).\(stage)\(index)"
    }

    private static func hex(_ value: UInt64, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Timestamps in envelopes: ISO 8601 UTC with milliseconds (Foundation's `.iso8601` drops them).
public enum MessageClock {
    public static func timestamp(_ date: Date = Date()) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = millis / 1000
        var tm = tm()
        var t = time_t(seconds)
        gmtime_r(&t, &tm)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2))T"
            + "\(pad(tm.tm_hour, 2)):\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2)).\(pad(Int32(millis % 1000), 3))Z"
    }
}
