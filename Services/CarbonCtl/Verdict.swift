import Foundation

/// The collector's answer for one batch (the JSON of `BatchVerdict`), as much as `carbonctl` reads.
struct Verdict: Decodable, Sendable {
    struct Rejection: Decodable, Sendable {
        var line: Int?
        var index: Int?
        var field: String?
        var reason: String
    }

    var batch: String
    var status: String
    var received: Int
    var accepted: Int
    var repeats: Int
    var revisions: Int
    var rejected: [Rejection]?

    static func decode(_ data: Data) throws -> Verdict {
        do {
            return try JSONDecoder().decode(Verdict.self, from: data)
        } catch {
            throw CtlError.refused(service: "collector", status: 200, message: "unreadable verdict: \(String(decoding: data, as: UTF8.self))")
        }
    }
}

/// The verdicts of every batch summed, with each rejected record placed in its file.
struct IngestSummary: Sendable {
    struct Rejected: Sendable {
        var file: String
        var position: String
        var reason: String
    }

    var batches = 0
    var received = 0
    var accepted = 0
    var repeats = 0
    var revisions = 0
    var rejected: [Rejected] = []

    mutating func add(_ verdict: Verdict, file: String, batch: FileBatch) {
        batches += 1
        received += verdict.received
        accepted += verdict.accepted
        repeats += verdict.repeats
        revisions += verdict.revisions
        for rejection in verdict.rejected ?? [] {
            rejected.append(Rejected(file: file, position: batch.filePosition(line: rejection.line, index: rejection.index), reason: rejection.reason))
        }
    }

    /// The summary as printed: one line of counts, then one line per rejected record.
    func rendered() -> String {
        var text =
            "batches \(batches), records \(received): accepted \(accepted), repeats \(repeats), revisions \(revisions), rejected \(rejected.count)\n"
        for record in rejected { text += "rejected \(record.file):\(record.position): \(record.reason)\n" }
        return text
    }
}
