import Foundation

/// Lower-case hexadecimal, for hashes in text.
enum Hex {
    static func encode(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

    static func decode(_ text: some StringProtocol) -> Data? {
        guard text.utf8.count % 2 == 0, text.allSatisfy(\.isHexDigit) else { return nil }
        var out = Data(capacity: text.utf8.count / 2)
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }
}
