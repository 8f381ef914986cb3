import Foundation

/// A small, fast, seedable random number generator (SplitMix64), so a fuzzing run can be
/// repeated exactly from its seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Hostile variations of ingest lines: the kinds of damage real senders and attackers produce
/// (cut-off lines, flipped and inserted bytes, control characters and NULs, repeated keys,
/// numbers out of range or not numbers at all, deep nesting, very long strings, broken
/// escapes), applied to a good line. Deterministic for a given generator state.
public enum IngestMutator {
    /// The seed of a run: `CM_FUZZ_SEED` when set, else `fallback`.
    public static func seed(fallback: UInt64) -> UInt64 {
        ProcessInfo.processInfo.environment["CM_FUZZ_SEED"].flatMap { UInt64($0) } ?? fallback
    }

    /// How many iterations a run makes: `CM_FUZZ_ITERATIONS` when set, else `fallback`.
    public static func iterations(fallback: Int) -> Int {
        ProcessInfo.processInfo.environment["CM_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? fallback
    }

    static let hostileFragments: [String] = [
        "\u{0}", "\n", "\r\n", "\"", "\\", "\\u0000", "\\ud800", "{", "}", "[", "]", ",", ":", "1e400", "-1e400", "NaN",
        "Infinity", "-0", "1e-400", "9223372036854775808", "null", "true", "=cmd|' /C calc'!A0", "\u{202E}", "\u{FEFF}", "é",
        "\u{7F}", "\t", "'", "; DROP TABLE records; --", "../../etc/passwd", "%00", "\"tenant\":\"B\",",
    ]

    static let keys = ["source", "id", "kind", "tenant", "product", "region", "site", "start", "end", "value", "unit", "tags"]

    /// One hostile variation of `line`.
    public static func mutate<G: RandomNumberGenerator>(_ line: String, using rng: inout G) -> String {
        var bytes = Array(line.utf8)
        switch Int.random(in: 0..<10, using: &rng) {
        case 0:  // cut off
            bytes = Array(bytes.prefix(Int.random(in: 0...max(0, bytes.count - 1), using: &rng)))
        case 1:  // flip bytes
            for _ in 0..<Int.random(in: 1...4, using: &rng) where !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
        case 2:  // insert a hostile fragment
            let fragment = Array(hostileFragments.randomElement(using: &rng)!.utf8)
            bytes.insert(contentsOf: fragment, at: Int.random(in: 0...bytes.count, using: &rng))
        case 3:  // repeat a key with another value
            let key = keys.randomElement(using: &rng)!
            return line.replacingOccurrences(of: "{", with: "{\"\(key)\":\"x\",", options: [], range: line.range(of: "{"))
        case 4:  // a value out of range or not a number
            let value = ["1e400", "-5", "\"12\"", "null", "[1]", "{\"a\":1}", "1e308", "0.0000000001", "true"].randomElement(using: &rng)!
            return replaceValue(of: "value", in: line, with: value)
        case 5:  // deep nesting
            let depth = Int.random(in: 10...3000, using: &rng)
            return replaceValue(of: "tags", in: line, with: String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        case 6:  // a very long string
            let long = String(repeating: "x", count: Int.random(in: 1_000...200_000, using: &rng))
            return replaceValue(of: keys.randomElement(using: &rng)!, in: line, with: "\"\(long)\"")
        case 7:  // random bytes
            bytes = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        case 8:  // a field's value becomes a hostile string
            let fragment = hostileFragments.randomElement(using: &rng)!
            let escaped = fragment.unicodeScalars.map { $0.value < 0x20 || $0 == "\"" || $0 == "\\" ? String(format: "\\u%04x", $0.value) : String($0) }.joined()
            return replaceValue(of: keys.randomElement(using: &rng)!, in: line, with: "\"\(escaped)\"")
        default:  // the same line twice on one line
            return line + line
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `line` with the value of `key` replaced by `value` (raw JSON); the key is added when absent.
    static func replaceValue(of key: String, in line: String, with value: String) -> String {
        guard let keyRange = line.range(of: "\"\(key)\":") else {
            return line.replacingOccurrences(of: "{", with: "{\"\(key)\":\(value),", options: [], range: line.range(of: "{"))
        }
        var end = keyRange.upperBound
        var depth = 0, inString = false, escaped = false
        while end < line.endIndex {
            let c = line[end]
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
            } else if c == "\"" {
                inString = true
            } else if c == "{" || c == "[" {
                depth += 1
            } else if c == "}" || c == "]" {
                if depth == 0 { break }
                depth -= 1
            } else if c == ",", depth == 0 {
                break
            }
            end = line.index(after: end)
        }
        return String(line[..<keyRange.upperBound]) + value + String(line[end...])
    }
}
