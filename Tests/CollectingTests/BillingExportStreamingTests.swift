import Collecting
import Foundation
import Testing

/// The pieces a large export streams through: the incremental CSV reader (whatever the chunk
/// boundaries), the gzip inflater (members, truncation, corruption, bounded output) and the part
/// reader (resuming at a byte offset, plain or gzip).
struct BillingExportStreamingTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples/billing")

    /// Every row of `text`, fed in chunks of `chunk` bytes: (line, cells or error).
    func rows(_ bytes: [UInt8], chunk: Int, maxRowBytes: Int = 1 << 20) -> [(Int, [String], String?)] {
        var reader = CSVRowReader(maxRowBytes: maxRowBytes)
        var out: [(Int, [String], String?)] = []
        var offset = 0
        while true {
            switch reader.next() {
            case .row: out.append((reader.row.line, reader.row.cells, reader.row.error))
            case .end: return out
            case .needsInput:
                if offset >= bytes.count {
                    reader.finish()
                } else {
                    reader.append(Array(bytes[offset..<min(bytes.count, offset + chunk)]))
                    offset += chunk
                }
            }
        }
    }

    static let tricky = Array(
        ("\u{FEFF}name,note,value\r\n"
            + "a,\"one, two\",1\r\n"
            + "b,\"line one\nline two\",2\r\n"
            + "\r\n"
            + "c,\"say \"\"hi\"\"\",3\n"
            + "d,,\r"
            + "e,plain,5").utf8)

    @Test func quotedCellsCRLFAndABOMReadTheSameWhateverTheChunkBoundaries() {
        let whole = rows(Self.tricky, chunk: Self.tricky.count)
        #expect(whole.map(\.0) == [1, 2, 3, 6, 7, 8])
        #expect(whole[0].1 == ["name", "note", "value"])
        #expect(whole[1].1 == ["a", "one, two", "1"])
        #expect(whole[2].1 == ["b", "line one\nline two", "2"])
        #expect(whole[3].1 == ["c", "say \"hi\"", "3"])
        #expect(whole[4].1 == ["d", "", ""])
        #expect(whole[5].1 == ["e", "plain", "5"])
        #expect(whole.allSatisfy { $0.2 == nil })
        for chunk in 1...9 {
            let pieces = rows(Self.tricky, chunk: chunk)
            #expect(pieces.map(\.0) == whole.map(\.0), "chunk \(chunk)")
            #expect(pieces.map(\.1) == whole.map(\.1), "chunk \(chunk)")
        }
    }

    @Test func aResumeAtARowBoundaryReadsTheRestAlike() {
        var reader = CSVRowReader()
        reader.append(Self.tricky)
        reader.finish()
        var boundaries: [(offset: Int64, line: Int)] = []
        var cells: [[String]] = []
        while reader.next() == .row {
            cells.append(reader.row.cells)
            if let boundary = reader.boundary { boundaries.append(boundary) }
        }
        // Resuming after the third row (past the quoted line break) yields the same last rows.
        let resume = boundaries[2]
        var resumed = CSVRowReader(startOffset: resume.offset, startLine: resume.line)
        resumed.append(Array(Self.tricky[Int(resume.offset)...]))
        resumed.finish()
        var rest: [(Int, [String])] = []
        while resumed.next() == .row { rest.append((resumed.row.line, resumed.row.cells)) }
        #expect(rest.map(\.0) == [6, 7, 8])
        #expect(rest.map(\.1) == Array(cells[3...]))
    }

    @Test func badRowsAreReportedWithTheirLineAndReadingGoesOn() {
        let text = Array("a,b\n\"x\"y,2\n\u{FF}\n".utf8) + [0xFF, 0x2C, 0x31, 0x0A] + Array("ok,3\n\"open,4\n".utf8)
        let read = rows(text, chunk: 3)
        #expect(read.map(\.0) == [1, 2, 3, 4, 5, 6])
        #expect(read[1].2 == "unexpected text after the closing quote of field 1")
        #expect(read[3].2 == "not valid UTF-8")
        #expect(read[4].1 == ["ok", "3"] && read[4].2 == nil)
        #expect(read[5].2 == "unterminated quoted field 1")
    }

    @Test func anOversizedRowIsReportedOnceAndSkippedToTheNextLineBreak() {
        let huge = String(repeating: "x", count: 5000)
        let text = Array("a,b\n1,\(huge)\n2,ok\n\"never closed,\(huge)\n3,fine\n".utf8)
        let read = rows(text, chunk: 700, maxRowBytes: 1024)
        #expect(read.map(\.0) == [1, 2, 3, 4, 5], "\(read.map { ($0.0, $0.2) })")
        #expect(read[1].2?.hasPrefix("a row longer than 1024 bytes") == true)
        #expect(read[2].1 == ["2", "ok"])
        #expect(read[3].2?.hasPrefix("a row longer than 1024 bytes") == true)
        #expect(read[4].1 == ["3", "fine"])
    }

    // MARK: gzip

    func sample(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: Self.samples.appendingPathComponent(name))) }

    func inflate(_ compressed: [UInt8], piece: Int = 1000, limit: Int = 512) throws(GzipError) -> [UInt8] {
        let inflater = try GzipInflater()
        var out: [UInt8] = []
        var offset = 0
        while true {
            if inflater.needsInput {
                guard offset < compressed.count else { break }
                inflater.supply(Array(compressed[offset..<min(compressed.count, offset + piece)]))
                offset += piece
            }
            let produced = try inflater.take(upTo: limit)
            #expect(produced.count <= limit)
            out += produced
        }
        try inflater.finish()
        return out
    }

    @Test func aGzipFileInflatesToTheSameBytes() throws {
        let plain = try sample("focus/focus-aws-2024-01.csv")
        let compressed = try sample("focus/focus-aws-2024-01.csv.gz")
        #expect(try inflate(compressed) == plain)
        #expect(try inflate(compressed, piece: 7, limit: 3) == plain)
        // Two members back to back (cat a.gz b.gz) are read one after the other.
        #expect(try inflate(compressed + compressed) == plain + plain)
    }

    @Test func truncatedCorruptOrEmptyGzipIsAnErrorNotSilence() throws {
        let compressed = try sample("focus/focus-aws-2024-01.csv.gz")
        #expect(throws: GzipError.self) { try inflate(Array(compressed.dropLast(20))) }
        var corrupt = compressed
        corrupt[40] ^= 0xFF
        corrupt[41] ^= 0xFF
        #expect(throws: GzipError.self) { try inflate(corrupt) }
        #expect(throws: GzipError.self) { try inflate([]) }
        #expect(throws: GzipError.self) { try inflate(Array("name,value\n".utf8)) }
    }

    @Test func thePartReaderResumesAtAByteOffsetInPlainAndGzipFiles() throws {
        let plainURL = Self.samples.appendingPathComponent("focus/focus-aws-2024-01.csv")
        let plain = try sample("focus/focus-aws-2024-01.csv")
        for file in [plainURL, Self.samples.appendingPathComponent("focus/focus-aws-2024-01.csv.gz")] {
            let reader = try ExportPartReader(file: file, chunkSize: 4096)
            try reader.skip(to: 1234)
            var rest: [UInt8] = []
            while let chunk = try reader.next() { rest += chunk }
            #expect(rest == Array(plain[1234...]), "\(file.lastPathComponent)")
            #expect(reader.streamOffset == Int64(plain.count))
        }
    }
}
