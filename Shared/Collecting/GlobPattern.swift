/// A name pattern in a mapping file: `*` matches any run of characters (also none), every other
/// character matches itself, case-sensitively. `*BoxUsage*` matches AWS usage types with or
/// without their region prefix (`BoxUsage:m5.large`, `USE2-BoxUsage:m5.large`).
public struct GlobPattern: Sendable, Hashable, Codable, CustomStringConvertible {
    public let pattern: String
    private let parts: [Substring]

    public init(_ pattern: String) {
        self.pattern = pattern
        parts = pattern.split(separator: "*", omittingEmptySubsequences: false)
    }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(pattern)
    }

    public var description: String { pattern }

    public static func == (lhs: GlobPattern, rhs: GlobPattern) -> Bool { lhs.pattern == rhs.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }

    /// Whether `text` matches as a whole. The first part must be a prefix and the last a suffix;
    /// the middle parts are found left to right, which is enough for `*` (no backtracking needed:
    /// taking the earliest occurrence of each middle part never rules out a match).
    public func matches(_ text: String) -> Bool {
        guard parts.count > 1 else { return text == pattern }
        let characters = Array(text)
        let first = Array(parts[0]), last = Array(parts[parts.count - 1])
        guard characters.count >= first.count + last.count,
            characters.starts(with: first), characters.suffix(last.count).elementsEqual(last)
        else { return false }
        var index = first.count
        let limit = characters.count - last.count
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            let needle = Array(part)
            var found = false
            while index + needle.count <= limit {
                if characters[index..<(index + needle.count)].elementsEqual(needle) {
                    index += needle.count
                    found = true
                    break
                }
                index += 1
            }
            if !found { return false }
        }
        return true
    }
}
