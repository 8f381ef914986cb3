import CarbonModel
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Line splitting and byte search over `Data` through `memchr`: `Data`'s per-byte subscript
/// (with its exclusivity checks) made splitting a batch into lines one sixth of the
/// preprocessor's CPU time in the profile (docs/PERFORMANCE.md).
public enum ByteLines {
    /// The lines of `data` split at every `\n`, empty ones kept (like
    /// `split(separator: 0x0A, omittingEmptySubsequences: false)`), each a copy of its bytes.
    public static func split(_ data: Data) -> [Data] {
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> [Data] in
            guard let base = buffer.baseAddress else { return [Data()] }
            var lines: [Data] = []
            var start = 0
            let count = buffer.count
            while start <= count {
                let remaining = count - start
                if remaining > 0, let found = memchr(base + start, 0x0A, remaining) {
                    let end = base.distance(to: UnsafeRawPointer(found))
                    lines.append(Data(bytes: base + start, count: end - start))
                    start = end + 1
                } else {
                    lines.append(Data(bytes: base + start, count: remaining))
                    break
                }
            }
            return lines
        }
    }

    /// Whether `data` holds the byte `byte`.
    public static func contains(_ byte: UInt8, in data: Data) -> Bool {
        data.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return false }
            return memchr(base, Int32(byte), buffer.count) != nil
        }
    }
}
