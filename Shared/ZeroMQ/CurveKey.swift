import CZMQ

/// A 32-byte CURVE key (public or secret) with its 40-character Z85 text, the form in which
/// libzmq generates keys and in which this suite stores them in files.
public struct CurveKey: Hashable, Sendable {
    /// The 32 raw key bytes.
    public let bytes: [UInt8]

    /// Length of the raw key and of its Z85 text.
    public static let byteCount = 32
    public static let z85Count = 40

    /// Wraps 32 raw bytes (for example the credentials frame of a ZAP request).
    public init(bytes: [UInt8]) throws(CurveKeyError) {
        guard bytes.count == Self.byteCount else { throw .wrongByteCount(bytes.count) }
        self.bytes = bytes
    }

    /// Decodes 40 Z85 characters (surrounding whitespace, e.g. a trailing newline, is ignored).
    public init(z85 text: String) throws(CurveKeyError) {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.utf8.count == Self.z85Count else { throw .wrongTextLength(trimmed.utf8.count) }
        var raw = [UInt8](repeating: 0, count: Self.byteCount)
        // zmq_z85_decode returns NULL for any character outside the Z85 alphabet.
        let decoded = raw.withUnsafeMutableBufferPointer { buffer in zmq_z85_decode(buffer.baseAddress, trimmed) }
        guard decoded != nil else { throw .notZ85 }
        bytes = raw
    }

    /// The 40-character Z85 text of the key.
    public var z85: String {
        var text = [CChar](repeating: 0, count: Self.z85Count + 1)
        _ = bytes.withUnsafeBufferPointer { zmq_z85_encode(&text, $0.baseAddress, $0.count) }
        return String(decoding: text.prefix(Self.z85Count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Why a text or byte string is not a CURVE key.
public enum CurveKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    case wrongByteCount(Int)
    case wrongTextLength(Int)
    case notZ85

    public var description: String {
        switch self {
        case .wrongByteCount(let count): return "a CURVE key has 32 bytes, not \(count)"
        case .wrongTextLength(let count): return "a Z85 CURVE key has 40 characters, not \(count)"
        case .notZ85: return "not Z85 text (a character outside the Z85 alphabet)"
        }
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0.properties.isWhitespace }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(scalars[first...last])
    }
}
