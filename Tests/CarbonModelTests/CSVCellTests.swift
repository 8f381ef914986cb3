import CarbonModel
import Testing

/// CSV cells: text that a spreadsheet would run as a formula is neutralized (OWASP: a leading
/// `'`, and the cell quoted); numbers the suite formats stay numbers, negative ones included.
struct CSVCellTests {
    @Test(arguments: [
        ("=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\""),
        ("+1+2", "\"'+1+2\""),
        ("-2+3", "\"'-2+3\""),
        ("-3.5", "\"'-3.5\""),
        ("@SUM(A1:A9)", "\"'@SUM(A1:A9)\""),
        ("\t=1", "\"'\t=1\""),
        ("\r=1", "\"'\r=1\""),
        ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
    ])
    func textThatStartsLikeAFormulaIsNeutralized(_ text: String, _ cell: String) {
        #expect(CSVCell.neutralized(text) == cell)
    }

    @Test func ordinaryTextIsKeptAndQuotedOnlyWhenItMustBe() {
        #expect(CSVCell.neutralized("us-east-1") == "us-east-1")
        #expect(CSVCell.neutralized("tenant A") == "tenant A")
        #expect(CSVCell.neutralized("") == "")
        #expect(CSVCell.neutralized("a,b") == "\"a,b\"")
        #expect(CSVCell.neutralized("a;=1") == "\"a;=1\"")
        #expect(CSVCell.neutralized("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVCell.neutralized("two\nlines") == "\"two\nlines\"")
        #expect(CSVCell.neutralized("x=1") == "x=1")
    }

    @Test func numbersAreWrittenAsNumbers() {
        #expect(CSVCell.number(-3.5).rendered == "-3.5")
        #expect(CSVCell.number(0.25).rendered == "0.25")
        #expect(CSVCell.number(1200).rendered == "1200.0")
        #expect(CSVCell.empty.rendered == "")
    }

    @Test func aLineJoinsRenderedCells() {
        let line = CSVCell.line([.text("=evil"), .text("r1"), .number(-1.5), .empty, .text("a,b")])
        #expect(line == "\"'=evil\",r1,-1.5,,\"a,b\"")
    }
}
