import Foundation

/// Why a part of an export could not be read: the file, and what went wrong (a read error, or
/// gzip data that does not inflate).
public struct ExportReadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}

/// Reads one file of an export in bounded chunks: plain bytes for `.csv`, inflated bytes for
/// `.csv.gz` (by `GzipInflater`). Memory is one read chunk plus one output chunk, whatever the
/// file's size. `streamOffset` counts the bytes handed out (decompressed, for gzip), which is
/// what resuming after a restart skips to; `fileOffset` counts the bytes read from disk, which
/// is what progress is measured in.
///
/// Not Sendable: it owns an open file handle, on one task.
public final class ExportPartReader {
    public let file: URL
    public let compressed: Bool
    public let chunkSize: Int
    private let handle: FileHandle
    private let inflater: GzipInflater?
    private var atEndOfFile = false
    private var finished = false
    /// Bytes read from the file on disk so far.
    public private(set) var fileOffset: Int64 = 0
    /// Bytes handed out so far (decompressed, for gzip).
    public private(set) var streamOffset: Int64 = 0

    /// Whether `file` is read as gzip: its name ends in `.gz`.
    public static func isCompressed(_ file: URL) -> Bool { file.pathExtension.lowercased() == "gz" }

    /// Opens `file`; `chunkSize` bounds every read and every piece handed out.
    public init(file: URL, chunkSize: Int = 1 << 20) throws(ExportReadError) {
        self.file = file
        self.chunkSize = max(4096, chunkSize)
        compressed = Self.isCompressed(file)
        do { handle = try FileHandle(forReadingFrom: file) } catch {
            throw ExportReadError(file: file.lastPathComponent, message: "cannot open: \(error.localizedDescription)")
        }
        do { inflater = compressed ? try GzipInflater() : nil } catch {
            throw ExportReadError(file: file.lastPathComponent, message: error.description)
        }
    }

    deinit {
        // Closing a handle we opened for reading fails only if it is already closed; nothing to do then.
        try? handle.close()
    }

    /// The next chunk of bytes (decompressed for gzip), nil at the end of the file.
    public func next() throws(ExportReadError) -> [UInt8]? {
        if let tail = pendingOutput {
            pendingOutput = nil
            streamOffset += Int64(tail.count)
            return tail
        }
        guard !finished else { return nil }
        guard let inflater else {
            guard let chunk = try readFile() else {
                finished = true
                return nil
            }
            streamOffset += Int64(chunk.count)
            return chunk
        }
        while true {
            if inflater.needsInput {
                guard let compressed = try readFile() else {
                    do { try inflater.finish() } catch { throw ExportReadError(file: file.lastPathComponent, message: error.description) }
                    finished = true
                    return nil
                }
                inflater.supply(compressed)
            }
            let output: [UInt8]
            do { output = try inflater.take(upTo: chunkSize) } catch { throw ExportReadError(file: file.lastPathComponent, message: error.description) }
            if !output.isEmpty {
                streamOffset += Int64(output.count)
                return output
            }
        }
    }

    /// Skips the first `offset` bytes of the stream (a resume): a seek for a plain file, reading
    /// and dropping inflated bytes for gzip (a gzip stream cannot be entered in the middle).
    public func skip(to offset: Int64) throws(ExportReadError) {
        guard offset > streamOffset else { return }
        if inflater == nil {
            do { try handle.seek(toOffset: UInt64(offset)) } catch {
                throw ExportReadError(file: file.lastPathComponent, message: "cannot seek to byte \(offset): \(error.localizedDescription)")
            }
            fileOffset = offset
            streamOffset = offset
            return
        }
        while streamOffset < offset {
            let before = streamOffset
            guard let chunk = try next() else {
                throw ExportReadError(file: file.lastPathComponent, message: "ends at byte \(streamOffset), before the resume point \(offset)")
            }
            if streamOffset > offset {
                // Overshot: the tail is handed out by the next call.
                pendingOutput = Array(chunk[Int(offset - before)...])
                streamOffset = offset
            }
        }
    }

    /// Inflated bytes read past a resume point, handed out first by `next`.
    private var pendingOutput: [UInt8]?

    private func readFile() throws(ExportReadError) -> [UInt8]? {
        guard !atEndOfFile else { return nil }
        let data: Data?
        do { data = try handle.read(upToCount: chunkSize) } catch {
            throw ExportReadError(file: file.lastPathComponent, message: "read error at byte \(fileOffset): \(error.localizedDescription)")
        }
        guard let data, !data.isEmpty else {
            atEndOfFile = true
            return nil
        }
        fileOffset += Int64(data.count)
        return [UInt8](data)
    }
}
