import Collecting
import Foundation
import Testing

@Suite struct OutputLinesTests {
    @Test func countsObjectsAndNamesGarbageLines() {
        let output = """
            {"source":"p","id":"1"}

            not json
            {"source":"p","id":"2"}
            {"unterminated":
            [1,2]
            """
        let lines = OutputLines(Data(output.utf8))
        #expect(lines.objects == 2)
        #expect(lines.garbage.map(\.line) == [3, 5, 6])
        #expect(lines.garbage.first?.excerpt == "not json")
    }

    @Test func emptyOutputHasNeither() {
        let lines = OutputLines(Data("\n\n".utf8))
        #expect(lines.objects == 0)
        #expect(lines.garbage.isEmpty)
    }
}
