import Foundation

/// What a command printed, split into lines that are JSON objects and lines that are not.
/// Pure: the exec source uses it to count and log garbage, while still sending every line so
/// that bad ones are quarantined rather than dropped.
public struct OutputLines: Sendable, Hashable {
    /// A line that is not a JSON object: its 1-based number and its first 200 characters.
    public struct Garbage: Sendable, Hashable {
        public var line: Int
        public var excerpt: String
    }

    /// Lines that parse as JSON objects.
    public var objects: Int
    public var garbage: [Garbage]

    public init(_ output: Data) {
        var objects = 0
        var garbage: [Garbage] = []
        for (index, slice) in output.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let text = String(decoding: slice, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { continue }
            // Not parsing is the answer here (a garbage line, counted below), not a fault.
            if text.hasPrefix("{"), (try? JSONSerialization.jsonObject(with: Data(text.utf8))) is [String: Any] {
                objects += 1
            } else {
                garbage.append(Garbage(line: index + 1, excerpt: String(text.prefix(200))))
            }
        }
        self.objects = objects
        self.garbage = garbage
    }
}
