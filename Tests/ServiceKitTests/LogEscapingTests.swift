import Logging
import Synchronization
import Testing

@testable import ServiceKit

/// One log call is one line: control characters from requests are escaped in messages,
/// metadata and errors by the services' handler.
@Suite struct LogEscapingTests {
    /// A stream that keeps what the stream handler writes.
    final class Captured: TextOutputStream, Sendable {
        let text = Mutex("")
        func write(_ string: String) { text.withLock { $0 += string } }
    }

    /// An error whose description carries a line break, as one quoting a request would.
    struct Refusal: Error, CustomStringConvertible {
        var description: String { "bad region \"r1\nforged\"" }
    }

    @Test func controlCharactersBecomeVisibleEscapes() {
        #expect(LogEscaping.escape("plain text, ünïcode ✓") == "plain text, ünïcode ✓")
        #expect(LogEscaping.escape("a\nb\rc\td") == "a\\nb\\rc\\td")
        #expect(LogEscaping.escape("nul\u{0}esc\u{1B}del\u{7F}") == "nul\\u{0}esc\\u{1B}del\\u{7F}")
        #expect(LogEscaping.escape("nel\u{85}ls\u{2028}ps\u{2029}") == "nel\\u{85}ls\\u{2028}ps\\u{2029}")
        #expect(LogEscaping.escape("crlf\r\nend") == "crlf\\r\\nend")
    }

    @Test func everyLogCallWritesOneLine() {
        let captured = Captured()
        var handler = EscapingLogHandler(wrapping: StreamLogHandler(label: "test", stream: captured, metadataProvider: nil))
        handler.logLevel = .trace
        handler[metadataKey: "instance"] = "calc\n2099-01-01 critical forged: instance"
        var logger = Logger(label: "test") { _ in handler }
        logger.logLevel = .trace
        let forged = "\n2099-01-01T00:00:00+0000 critical carbonmeter.calculator: forged"
        logger.info("region-month calculated\(forged)", metadata: ["region": "r1\(forged)", "nested": ["list": ["a\rb"], "map": ["k": "v\n"]]])
        logger.error("calculation failed", metadata: ["error": "\(Refusal())"])
        logger.warning("with an error value", error: Refusal())
        let lines = captured.text.withLock { $0 }.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines.last == "", "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("2099") })
        #expect(lines[0].contains("region=r1\\n2099-01-01T00:00:00+0000 critical"))
        #expect(lines[0].contains("instance=calc\\n2099"))
        #expect(lines[2].contains("bad region \"r1\\nforged\""), "\(lines[2])")
    }
}
