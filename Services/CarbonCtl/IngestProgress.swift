import Foundation

/// Progress of an ingest on stderr: records sent of the total, as a redrawn bar on a terminal
/// and as one line per batch otherwise (logs and CI output stay readable).
struct IngestProgress: Sendable {
    let total: Int
    let onTerminal: Bool
    private(set) var sent = 0

    init(total: Int, onTerminal: Bool) {
        self.total = total
        self.onTerminal = onTerminal
    }

    mutating func advance(by records: Int, file: String, batch: Int, of batches: Int) {
        sent += records
        if onTerminal {
            StandardError.write("\r" + Self.bar(sent: sent, total: total, width: 30) + " \(sent)/\(total) records")
        } else {
            StandardError.write("\(file): batch \(batch)/\(batches), \(sent)/\(total) records sent\n")
        }
    }

    mutating func finish() {
        if onTerminal, sent > 0 { StandardError.write("\n") }
    }

    /// `[#######.......]`: filled in proportion to sent ÷ total.
    static func bar(sent: Int, total: Int, width: Int) -> String {
        let filled = total == 0 ? width : min(width, sent * width / total)
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }
}
