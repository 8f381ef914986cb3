import CZlib

/// Why a gzip stream could not be inflated: what zlib said, and how far into the compressed
/// bytes it got.
public struct GzipError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// Compressed bytes consumed when the problem was found.
    public var compressedOffset: Int64

    public init(_ message: String, at compressedOffset: Int64) {
        self.message = message
        self.compressedOffset = compressedOffset
    }

    public var description: String { "gzip: \(message) (near compressed byte \(compressedOffset))" }
}

/// A streaming gzip inflater over zlib, pulled in bounded pieces: compressed bytes are handed in
/// with `supply`, decompressed bytes taken out with `take(upTo:)`, so memory stays bounded
/// whatever the compression ratio (a gzip bomb yields its output a piece at a time). Concatenated
/// members (`cat a.gz b.gz`, which some exporters write) are read one after another.
///
/// Not Sendable: one reader owns it, on one task.
public final class GzipInflater {
    private let stream: UnsafeMutablePointer<z_stream>
    /// The compressed bytes last supplied, and how many of them zlib has consumed.
    private var input: [UInt8] = []
    private var inputUsed = 0
    /// Whether the current member reached its end (and a next one has not started).
    private var memberEnded = false
    /// Whether any member has started: an empty input is not a gzip stream.
    private var sawData = false
    public private(set) var compressedBytesConsumed: Int64 = 0

    public init() throws(GzipError) {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: a 32 KiB window, gzip framing only (not raw deflate, not zlib).
        let status = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw GzipError("zlib could not start an inflater (status \(status))", at: 0)
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Whether the inflater has consumed everything supplied and wants more compressed bytes.
    public var needsInput: Bool { inputUsed >= input.count }

    /// Hands in the next compressed bytes; call only when `needsInput`.
    public func supply(_ bytes: [UInt8]) {
        input = bytes
        inputUsed = 0
    }

    /// Up to `limit` decompressed bytes from what was supplied; empty when the supplied bytes are
    /// used up (supply more, or `finish` at the end of the file).
    public func take(upTo limit: Int) throws(GzipError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: max(1, limit))
        var produced = 0
        inflating: while produced < output.count, inputUsed < input.count {
            if memberEnded {
                // More bytes after a member: the next member starts here.
                guard inflateReset(stream) == Z_OK else { throw GzipError("zlib could not start the next member", at: compressedBytesConsumed) }
                memberEnded = false
            }
            sawData = true
            let before = inputUsed
            let (status, wrote, read) = input.withUnsafeMutableBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    stream.pointee.next_in = inBuffer.baseAddress.map { $0 + before }
                    stream.pointee.avail_in = UInt32(inBuffer.count - before)
                    stream.pointee.next_out = outBuffer.baseAddress.map { $0 + produced }
                    stream.pointee.avail_out = UInt32(outBuffer.count - produced)
                    let status = inflate(stream, Z_NO_FLUSH)
                    let wrote = outBuffer.count - produced - Int(stream.pointee.avail_out)
                    let read = inBuffer.count - before - Int(stream.pointee.avail_in)
                    stream.pointee.next_in = nil
                    stream.pointee.next_out = nil
                    return (status, wrote, read)
                }
            }
            produced += wrote
            inputUsed += read
            compressedBytesConsumed += Int64(read)
            switch status {
            case Z_OK: continue
            case Z_STREAM_END: memberEnded = true
            case Z_BUF_ERROR:
                // No progress possible with this input and output: ask for more input.
                if wrote == 0 && read == 0 { break inflating }
            case Z_DATA_ERROR:
                throw GzipError(message(default: "the data is not valid gzip"), at: compressedBytesConsumed)
            case Z_MEM_ERROR:
                throw GzipError("zlib ran out of memory", at: compressedBytesConsumed)
            default:
                throw GzipError(message(default: "zlib failed with status \(status)"), at: compressedBytesConsumed)
            }
        }
        output.removeLast(output.count - produced)
        return output
    }

    /// At the end of the compressed input: throws when the stream stopped inside a member (a
    /// truncated download) or held nothing at all.
    public func finish() throws(GzipError) {
        guard sawData else { throw GzipError("empty file: no gzip member", at: 0) }
        guard memberEnded, needsInput else { throw GzipError("unexpected end of file: the gzip stream is truncated", at: compressedBytesConsumed) }
    }

    private func message(default fallback: String) -> String {
        guard let text = stream.pointee.msg else { return fallback }
        return String(cString: text)
    }
}
