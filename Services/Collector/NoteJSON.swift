import Foundation

/// Encodes the notes written beside processed files (`<name>.verdict.json`): pretty JSON, so a
/// person looking in `done/` can read them.
enum NoteJSON {
    static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }
}
