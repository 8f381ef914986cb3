import CarbonModel
import Foundation

/// A JSON object whose values are scalars (strings, numbers, booleans, null) or objects of
/// strings — the shape of every activity record and normalized record. Read by a single pass
/// over the bytes, several times faster than `JSONDecoder`, because records are decoded once per
/// stage and this is the pipeline's hot path.
///
/// It reads strict RFC 8259 JSON and nothing else. It gives up (returns nil) on anything outside
/// that shape or anything unusual — arrays, deeper nesting, a repeated key, a number that does not
/// fit a `Double` — and callers then decode with `JSONDecoder`, which is slower but names the
/// fault precisely. So it never accepts what `JSONDecoder` would refuse, and never changes a value.
public struct FlatJSONObject: Sendable {
    /// One member's value.
    public enum Value: Sendable, Equatable {
        case string(String)
        /// The value as a `Double` (correctly rounded) and, when the literal is a whole number
        /// without fraction or exponent that fits, exactly as an integer.
        case number(Double, exact: Int64?)
        case bool(Bool)
        case null
        /// An object whose members are all strings (e.g. `tags`).
        case strings([String: String])
    }

    /// The members in document order. A short array searched linearly: records have about ten
    /// keys, and hashing every key on insert and on lookup cost more than comparing small strings.
    private let fields: [(key: String, value: Value)]

    /// The members as a dictionary (keys are unique: a repeated key is refused when parsing).
    public var members: [String: Value] { Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.value) }) }

    public subscript(key: String) -> Value? {
        for field in fields where field.key == key { return field.value }
        return nil
    }

    /// Parses `data` (one JSON object, optionally surrounded by whitespace); nil when it is not a
    /// flat object as described above.
    public init?(_ data: Data) {
        let parsed: [(key: String, value: Value)]? = data.withUnsafeBytes { raw in
            var reader = Reader(bytes: raw.bindMemory(to: UInt8.self))
            return reader.topLevelObject()
        }
        guard let parsed else { return nil }
        fields = parsed
    }

    /// Parses a JSON array of flat objects, as `activity.normalized.v1` bodies are; nil when any
    /// element is not one.
    public static func array(_ data: Data) -> [FlatJSONObject]? {
        data.withUnsafeBytes { raw -> [FlatJSONObject]? in
            var reader = Reader(bytes: raw.bindMemory(to: UInt8.self))
            guard let objects = reader.topLevelArray() else { return nil }
            return objects.map { FlatJSONObject(fields: $0) }
        }
    }

    private init(fields: [(key: String, value: Value)]) {
        self.fields = fields
    }

    /// The field as a string: nil when absent or null; `.failure` when it holds something else.
    public func string(_ key: String) -> Result<String?, Mismatch> {
        switch self[key] {
        case nil, .null?: return .success(nil)
        case .string(let text)?: return .success(text)
        default: return .failure(Mismatch())
        }
    }

    /// The field as a finite number: nil when absent or null.
    public func number(_ key: String) -> Result<Double?, Mismatch> {
        switch self[key] {
        case nil, .null?: return .success(nil)
        case .number(let value, _)?: return .success(value)
        default: return .failure(Mismatch())
        }
    }

    /// The field as an exact 64-bit integer literal: nil when absent or null.
    public func integer(_ key: String) -> Result<Int64?, Mismatch> {
        switch self[key] {
        case nil, .null?: return .success(nil)
        case .number(_, let exact?)?: return .success(exact)
        default: return .failure(Mismatch())
        }
    }

    /// The field as an object of strings: nil when absent or null.
    public func strings(_ key: String) -> Result<[String: String]?, Mismatch> {
        switch self[key] {
        case nil, .null?: return .success(nil)
        case .strings(let map)?: return .success(map)
        default: return .failure(Mismatch())
        }
    }

    /// A field holding another type than asked for; callers fall back to `JSONDecoder` to say how.
    public struct Mismatch: Error, Sendable {}
}

// MARK: - Reading

private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    typealias Fields = [(key: String, value: FlatJSONObject.Value)]

    /// More members than any record has: beyond this the reader gives up (the caller falls back
    /// to `JSONDecoder`), so the linear duplicate check stays cheap on hostile input.
    static let maximumMembers = 64

    mutating func topLevelObject() -> Fields? {
        skipWhitespace()
        guard let object = object(nested: false) else { return nil }
        skipWhitespace()
        return index == bytes.count ? object : nil
    }

    mutating func topLevelArray() -> [Fields]? {
        skipWhitespace()
        guard next(is: UInt8(ascii: "[")) else { return nil }
        var objects: [Fields] = []
        skipWhitespace()
        if next(is: UInt8(ascii: "]")) {
            skipWhitespace()
            return index == bytes.count ? objects : nil
        }
        while true {
            skipWhitespace()
            guard let object = object(nested: false) else { return nil }
            objects.append(object)
            skipWhitespace()
            if next(is: UInt8(ascii: ",")) { continue }
            guard next(is: UInt8(ascii: "]")) else { return nil }
            skipWhitespace()
            return index == bytes.count ? objects : nil
        }
    }

    /// An object; `nested` objects may hold strings only.
    private mutating func object(nested: Bool) -> Fields? {
        guard next(is: UInt8(ascii: "{")) else { return nil }
        var members: Fields = []
        skipWhitespace()
        if next(is: UInt8(ascii: "}")) { return members }
        while true {
            skipWhitespace()
            guard let key = string() else { return nil }
            skipWhitespace()
            guard next(is: UInt8(ascii: ":")) else { return nil }
            skipWhitespace()
            guard let value = value(nested: nested) else { return nil }
            // A repeated key: JSONDecoder's choice between the two is not ours to guess.
            guard members.count < Self.maximumMembers, !members.contains(where: { $0.key == key }) else { return nil }
            members.append((key, value))
            skipWhitespace()
            if next(is: UInt8(ascii: ",")) { continue }
            return next(is: UInt8(ascii: "}")) ? members : nil
        }
    }

    private mutating func value(nested: Bool) -> FlatJSONObject.Value? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return string().map { .string($0) }
        case UInt8(ascii: "{") where !nested:
            guard let inner = object(nested: true) else { return nil }
            var map: [String: String] = [:]
            for (key, value) in inner {
                guard case .string(let text) = value else { return nil }
                map[key] = text
            }
            return .strings(map)
        case _ where nested:
            return nil
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return nil
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// RFC 8259 §6 number grammar, checked strictly; the value parsed by the standard library.
    private mutating func number() -> FlatJSONObject.Value? {
        let start = index
        var whole = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits() > 0 else { return nil }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            whole = false
            index += 1
            guard digits() > 0 else { return nil }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            whole = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return nil }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let double = Double(text), double.isFinite else { return nil }
        return .number(double, exact: whole ? Int64(text) : nil)
    }

    private mutating func digits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }

    /// A string literal; nil on a control character, a bad escape, a lone surrogate or bytes
    /// that are not UTF-8.
    private mutating func string() -> String? {
        guard next(is: UInt8(ascii: "\"")) else { return nil }
        let start = index
        var ascii = true
        // The common case: no escapes, so the bytes between the quotes are the string.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                // ASCII is valid UTF-8 as it stands: decoding it cannot repair anything, and skips
                // the generic validation that showed in the profile. Anything else is validated.
                return ascii ? String(decoding: text, as: UTF8.self) : String(validating: text, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { return nil }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard literal("\\u"), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        return nil
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default: return nil
                }
            default:
                if byte < 0x20 { return nil }
                out.append(byte)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private mutating func next(is byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }
}
