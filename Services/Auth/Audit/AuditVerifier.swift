import Foundation

/// An audit row as read back from the store, for verification: its fields as stored and the
/// two hashes stored with it (nil when not a blob: only an edit makes them so).
struct StoredAuditRow: Sendable, Hashable {
    var fields: AuditRowFields
    var previousHash: Data?
    var hash: Data?
}

/// One place where the audit trail is not what auth appended and signed.
struct AuditBreak: Sendable, Hashable, CustomStringConvertible {
    /// Where: a row, a run of rows, a line of the checkpoint file, or the checkpoints as a whole.
    enum Place: Sendable, Hashable {
        case row(Int64)
        case rows(ClosedRange<Int64>)
        case checkpointLine(Int)
        case checkpoints
    }

    var place: Place
    var what: String

    var description: String {
        switch place {
        case .row(let seq): return "audit row \(seq): \(what)"
        case .rows(let range): return "audit rows \(range.lowerBound)–\(range.upperBound): \(what)"
        case .checkpointLine(let line): return "checkpoint line \(line): \(what)"
        case .checkpoints: return "checkpoints: \(what)"
        }
    }
}

/// What `AuditVerifier` found: every break, not only the first.
struct AuditVerification: Sendable {
    /// Rows in the store.
    var rows: Int
    /// The highest row count signed since the latest anchor (0 when none).
    var signedRows: Int64
    var breaks: [AuditBreak]
    /// The anchor the verification started from, if the checkpoints have one.
    var anchor: AuditCheckpoint?

    var intact: Bool { breaks.isEmpty }

    /// True when the only finding is rows after the last signed head: what a verification sees
    /// when it reads the store between an append's commit and its checkpoint.
    var onlyUnsignedTail: Bool {
        guard breaks.count == 1, case .rows = breaks[0].place else { return false }
        return true
    }
}

/// Checks the audit rows against the hash chain and the signed checkpoints, and names every
/// row that is not as appended: edited, deleted, reordered, re-chained (edited with every
/// later hash recomputed), cut from the end, or not covered by a signature.
///
/// Each row is checked on its own against the most trusted previous hash available — the
/// signed head of the row before it, else that row's stored hash — so one edit names one row,
/// not every row after it; a re-chain names the edited row and each row whose hash was
/// rewritten.
enum AuditVerifier {
    static func verify(
        rows: [StoredAuditRow], checkpoints: [AuditCheckpoint], rejectedLines: [(line: Int, error: AuditCheckpointLineError)] = [],
        checkpointProblem: String? = nil
    ) -> AuditVerification {
        var breaks: [AuditBreak] = rejectedLines.map { AuditBreak(place: .checkpointLine($0.line), what: $0.error.description) }
        if let checkpointProblem { breaks.append(AuditBreak(place: .checkpoints, what: checkpointProblem)) }

        // Heads signed before the latest anchor were superseded by it (an upgrade, a restore).
        let anchorIndex = checkpoints.lastIndex { $0.kind == .anchor }
        let active = anchorIndex.map { Array(checkpoints[$0...]) } ?? checkpoints
        var signed: [Int64: Set<Data>] = [:]
        for checkpoint in active where checkpoint.rows > 0 { signed[checkpoint.rows, default: []].insert(checkpoint.head) }
        let signedRows = active.map(\.rows).max() ?? 0
        func signedHead(_ seq: Int64) -> Data? {
            guard let heads = signed[seq], heads.count == 1 else { return nil }
            return heads.first
        }

        var bySeq: [Int64: StoredAuditRow] = [:]
        for row in rows { bySeq[row.fields.seq] = row }
        let lastSeq = rows.map(\.fields.seq).max() ?? 0
        for row in rows where row.fields.seq < 1 {
            breaks.append(AuditBreak(place: .row(row.fields.seq), what: "has a sequence number below 1 (inserted or renumbered)"))
        }

        // Rows are visited one by one up to the last signed count (a size auth signed); beyond
        // it only the rows present are, so a row renumbered far ahead cannot make this count
        // through every number in between.
        let present = bySeq.keys.filter { $0 >= 1 }.sorted()
        var nextPresent = 0
        var previousSigned: Int64 = 0
        let end = max(lastSeq, signedRows)
        var cursor: Int64 = 1
        while cursor <= end {
            let seq = cursor
            cursor += 1
            defer { if signed[seq] != nil { previousSigned = seq } }
            while nextPresent < present.count, present[nextPresent] <= seq { nextPresent += 1 }
            guard let row = bySeq[seq] else {
                if seq > lastSeq {
                    breaks.append(
                        AuditBreak(
                            place: .row(seq),
                            what: "missing: cut from the end of the log (a signed checkpoint counts \(signedRows) rows; the store ends at row \(lastSeq))"))
                } else if seq > signedRows, nextPresent < present.count, present[nextPresent] - 1 > seq {
                    breaks.append(AuditBreak(place: .rows(seq...(present[nextPresent] - 1)), what: "missing (deleted or renumbered)"))
                    cursor = present[nextPresent]
                } else {
                    breaks.append(AuditBreak(place: .row(seq), what: "missing (deleted)"))
                }
                continue
            }
            let trustedPrevious: Data? = seq == 1 ? AuditRowEncoding.genesis : (signedHead(seq - 1) ?? bySeq[seq - 1]?.hash)
            let expectedPrevious = trustedPrevious ?? row.previousHash ?? AuditRowEncoding.genesis
            let recomputed = AuditRowEncoding.chainHash(previous: expectedPrevious, row: row.fields)
            if let heads = signed[seq] {
                guard heads.count == 1, let head = heads.first else {
                    breaks.append(
                        AuditBreak(place: .row(seq), what: "signed checkpoints disagree about this row: the log was cut back and written again"))
                    continue
                }
                if recomputed != head {
                    let what =
                        seq == 1 || signedHead(seq - 1) != nil
                        ? "edited: its contents differ from what was signed (changed, or moved from another position)"
                        : "does not match its signed checkpoint: it, or a row after row \(previousSigned) (the one signed before it), "
                            + "was edited and the chain recomputed"
                    breaks.append(AuditBreak(place: .row(seq), what: what))
                } else if row.hash != head {
                    breaks.append(
                        AuditBreak(
                            place: .row(seq), what: "hash rewritten: its contents are as signed but its stored hash is not (the chain was recomputed)"))
                } else if row.previousHash != expectedPrevious {
                    breaks.append(AuditBreak(place: .row(seq), what: "its stored previous hash was changed"))
                }
            } else if trustedPrevious != nil, row.previousHash != expectedPrevious {
                breaks.append(AuditBreak(place: .row(seq), what: "does not follow row \(seq - 1) (a row before it was edited, deleted or reordered)"))
            } else if recomputed != row.hash {
                breaks.append(AuditBreak(place: .row(seq), what: "edited (its contents do not match its hash) or moved from another position"))
            }
        }
        if lastSeq > signedRows {
            breaks.append(
                AuditBreak(
                    place: .rows((signedRows + 1)...lastSeq),
                    what: "not covered by a signed checkpoint (appended by something without auth's audit key, or auth stopped before signing them)"))
        }
        return AuditVerification(rows: rows.count, signedRows: signedRows, breaks: breaks, anchor: anchorIndex.map { checkpoints[$0] })
    }
}
