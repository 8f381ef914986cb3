import Foundation
import Testing

@testable import CarbonModel
@testable import RecordParsing

/// `ByteLines` splits exactly as `Data.split(separator: 0x0A, omittingEmptySubsequences: false)`.
@Suite struct ByteLinesTests {
    @Test(arguments: ["", "\n", "a", "a\n", "\na", "a\nb", "a\n\nb\n", "\n\n\n", "{\"x\":1}\n{\"y\":\"é\"}"])
    func splitsLikeTheStandardLibrary(_ text: String) {
        let data = Data(text.utf8)
        let expected = data.split(separator: 0x0A, omittingEmptySubsequences: false).map { Data($0) }
        #expect(ByteLines.split(data) == expected, "\(text.debugDescription)")
    }

    @Test func aSliceIsSplitFromItsOwnStart() {
        let whole = Data("xx\nab\ncd".utf8)
        let slice = whole[3...]
        #expect(ByteLines.split(slice) == [Data("ab".utf8), Data("cd".utf8)])
    }

    @Test func containsFindsABytePresentOnlyWhereItIs() {
        #expect(ByteLines.contains(0x0D, in: Data("a\r\nb".utf8)))
        #expect(!ByteLines.contains(0x0A, in: Data("abc".utf8)))
        #expect(!ByteLines.contains(0x0A, in: Data()))
    }
}
