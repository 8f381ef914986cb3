import Foundation

/// Reads the JSON cells billing exports nest data in: FOCUS `Tags` and `SkuPriceDetails`
/// (KeyValueFormat: a JSON object), CUR 2.0's map columns `resource_tags` and `product`, and
/// Google Cloud's `labels` (a JSON array of `{"key": …, "value": …}`). The same cell text comes
/// back on many rows of an export, so the last few thousand distinct cells are remembered.
public struct KeyValueCell: Sendable {
    private var cache: [String: [String: String]?] = [:]
    private let capacity: Int
    /// The cell read last: rows of one resource or SKU come together, so most cells are the last one again.
    private var lastText: String?
    private var lastObject: [String: String]?

    public init(capacity: Int = 4096) { self.capacity = capacity }

    /// A JSON object's members as text (numbers and booleans written as JSON writes them, a key
    /// without a value, `true` in FOCUS tags, as "true"; nulls left out); nil when the cell is
    /// not a JSON object or a member holds an array or object.
    public mutating func object(_ text: String) -> [String: String]? {
        if text == lastText { return lastObject }
        let parsed: [String: String]?
        if let known = cache[text] {
            parsed = known
        } else {
            parsed = Self.parseObject(text)
            remember(text, parsed)
        }
        (lastText, lastObject) = (text, parsed)
        return parsed
    }

    /// Google Cloud's `labels`: a JSON array of `{"key": "…", "value": "…"}` (what
    /// `TO_JSON_STRING(labels)` writes); nil when it is anything else.
    public mutating func keyValueArray(_ text: String) -> [String: String]? {
        let cacheKey = "\u{0}" + text
        if let known = cache[cacheKey] { return known }
        var parsed: [String: String]? = nil
        // Not JSON is one of the ways the cell can be unreadable; the caller names the cell.
        if let array = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] {
            var labels: [String: String] = [:]
            parsed = labels
            for entry in array {
                guard let key = entry["key"] as? String, let value = entry["value"] as? String else {
                    parsed = nil
                    break
                }
                labels[key] = value
                parsed = labels
            }
        }
        remember(cacheKey, parsed)
        return parsed
    }

    private mutating func remember(_ text: String, _ parsed: [String: String]?) {
        if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
        cache[text] = .some(parsed)
    }

    private static func parseObject(_ text: String) -> [String: String]? {
        // Not a JSON object of scalars is one of the ways the cell can be unreadable; the caller names the cell.
        guard let object = try? JSONDecoder().decode([String: Scalar].self, from: Data(text.utf8)) else { return nil }
        var members: [String: String] = [:]
        for (key, value) in object {
            if let text = value.text { members[key] = text }
        }
        return members
    }

    /// One member's value: text, a number (written without a needless `.0`), a boolean, or null.
    private enum Scalar: Decodable {
        case text(String)
        case null

        var text: String? {
            if case .text(let text) = self { return text }
            return nil
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let flag = try? container.decode(Bool.self) {
                // A failed attempt only means the value is of another type, tried next.
                self = .text(flag ? "true" : "false")
            } else if let number = try? container.decode(Double.self) {
                // As above: not a number, so text (or not a scalar at all, which throws below).
                self = .text(number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number))
            } else {
                self = .text(try container.decode(String.self))
            }
        }
    }
}
