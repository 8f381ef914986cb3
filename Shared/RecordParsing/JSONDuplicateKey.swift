import CarbonModel
import Foundation

/// Finds a key repeated within one JSON object. JSON parsers disagree on what a repeated key
/// means (Foundation's keeps one occurrence, a streaming reader may keep another), so a body
/// whose check read one `tenant` and whose use read the other could pass as someone else's.
/// The suite therefore refuses such a body outright, naming the key. Keys are compared as the
/// parsers compare them: after unescaping (`"ten\u0061nt"` is `tenant`), as Swift strings.
public enum JSONDuplicateKey {
    /// The first key that appears twice in the same object, at any depth; nil when none does.
    /// Not a validator: on malformed JSON it answers what it found so far, and the parser that
    /// reads the body reports the syntax error.
    public static func first(in json: Data) -> String? {
        json.withUnsafeBytes { raw -> String? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var frames: [Frame] = []
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "{"):
                    frames.append(.object(keys: [], expectingKey: true))
                case UInt8(ascii: "["):
                    frames.append(.array)
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if !frames.isEmpty { frames.removeLast() }
                case UInt8(ascii: ","):
                    if case .object(let keys, _)? = frames.last { frames[frames.count - 1] = .object(keys: keys, expectingKey: true) }
                case UInt8(ascii: "\""):
                    let start = index + 1
                    var end = start
                    var escaped = false
                    while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                        if bytes[end] == UInt8(ascii: "\\") {
                            escaped = true
                            end += 1
                        }
                        end += 1
                    }
                    if case .object(var keys, true)? = frames.last {
                        let key = decodeKey(UnsafeBufferPointer(rebasing: bytes[start..<min(end, bytes.count)]), escaped: escaped)
                        if !keys.insert(key).inserted { return key }
                        frames[frames.count - 1] = .object(keys: keys, expectingKey: false)
                    }
                    index = end
                default:
                    break
                }
                index += 1
            }
            return nil
        }
    }

    private enum Frame {
        case object(keys: Set<String>, expectingKey: Bool)
        case array
    }

    private static func decodeKey(_ bytes: UnsafeBufferPointer<UInt8>, escaped: Bool) -> String {
        guard escaped else { return String(decoding: bytes, as: UTF8.self) }
        var quoted = Data([UInt8(ascii: "\"")])
        quoted.append(contentsOf: bytes)
        quoted.append(UInt8(ascii: "\""))
        // An escape that does not decode makes the body invalid JSON, which the parser reading
        // it reports; until then the raw bytes stand for the key (see `first(in:)`).
        return (try? JSONDecoder().decode(String.self, from: quoted)) ?? String(decoding: bytes, as: UTF8.self)
    }
}
