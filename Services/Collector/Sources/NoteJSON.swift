import Foundation

/// Encodes the notes written beside processed files (`<name>.verdict.json`): pretty JSON, so a
/// person looking in `done/` can read them.
enum NoteJSON {
    static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        // The notes (verdicts, conversion summaries) hold strings, integers and booleans, which
        // always encode: the empty object is never reached.
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }
}
