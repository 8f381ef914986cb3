import Foundation
import Testing

@testable import Auth

/// Every kind of tampering is found and every broken row named — and only those.
@Suite struct AuditVerifierTests {
    /// A log of `count` rows as `AuditLog.append` writes them, and a signed head after each.
    static func log(_ count: Int) -> (rows: [StoredAuditRow], checkpoints: [AuditCheckpoint]) {
        var rows: [StoredAuditRow] = []
        var checkpoints: [AuditCheckpoint] = []
        var previous = AuditRowEncoding.genesis
        for seq in 1...Int64(count) {
            let fields = AuditRowFields(
                seq: seq, at: 1_000 + seq, entry: AuditEntry(actor: "user\(seq)", action: "login", tenant: nil, outcome: "success", detail: "row \(seq)"))
            let hash = AuditRowEncoding.chainHash(previous: previous, row: fields)
            rows.append(StoredAuditRow(fields: fields, previousHash: previous, hash: hash))
            checkpoints.append(AuditCheckpoint(kind: .head, rows: seq, head: hash, at: 2_000 + seq))
            previous = hash
        }
        return (rows, checkpoints)
    }

    /// Recomputes every hash from `from` on, as someone covering an edit would.
    static func rechain(_ rows: inout [StoredAuditRow], from index: Int) {
        var previous = index == 0 ? AuditRowEncoding.genesis : rows[index - 1].hash ?? Data()
        for i in index..<rows.count {
            rows[i].previousHash = previous
            rows[i].hash = AuditRowEncoding.chainHash(previous: previous, row: rows[i].fields)
            previous = rows[i].hash ?? Data()
        }
    }

    static func brokenRows(_ result: AuditVerification) -> [Int64] {
        result.breaks.compactMap { if case .row(let seq) = $0.place { return seq } else { return nil } }
    }

    @Test func anUntouchedLogIsIntact() {
        let (rows, checkpoints) = Self.log(10)
        let result = AuditVerifier.verify(rows: rows, checkpoints: checkpoints)
        #expect(result.intact, "\(result.breaks)")
        #expect(result.signedRows == 10)
    }

    @Test func anEditNamesOnlyTheEditedRow() {
        var (rows, checkpoints) = Self.log(10)
        rows[2].fields.detail = Data("nothing to see".utf8)
        let result = AuditVerifier.verify(rows: rows, checkpoints: checkpoints)
        #expect(Self.brokenRows(result) == [3])
        #expect(result.breaks.first?.description.contains("audit row 3: edited") == true)
    }

    @Test func anEditWithTheChainRecomputedNamesTheEditAndEveryRewrittenHash() {
        var (rows, checkpoints) = Self.log(10)
        rows[4].fields.actor = Data("someone else".utf8)
        Self.rechain(&rows, from: 4)
        let result = AuditVerifier.verify(rows: rows, checkpoints: checkpoints)
        #expect(Self.brokenRows(result) == [5, 6, 7, 8, 9, 10])
        #expect(result.breaks[0].what.hasPrefix("edited"))
        #expect(result.breaks.dropFirst().allSatisfy { $0.what.hasPrefix("hash rewritten") })
    }

    @Test func twoEditsAreBothNamed() {
        var (rows, checkpoints) = Self.log(10)
        rows[1].fields.outcome = Data("failure".utf8)
        rows[7].fields.detail = Data()
        #expect(Self.brokenRows(AuditVerifier.verify(rows: rows, checkpoints: checkpoints)) == [2, 8])
    }

    @Test func aReorderNamesBothRowsMoved() {
        var (rows, checkpoints) = Self.log(10)
        // Rows 4 and 5 swap places, each keeping its hashes.
        (rows[3].fields.seq, rows[4].fields.seq) = (5, 4)
        let result = AuditVerifier.verify(rows: rows, checkpoints: checkpoints)
        #expect(Self.brokenRows(result) == [4, 5])
    }

    @Test func aDeletedRowIsNamedAndTheRowsAfterItAreNot() {
        var (rows, checkpoints) = Self.log(10)
        rows.remove(at: 4)
        let result = AuditVerifier.verify(rows: rows, checkpoints: checkpoints)
        #expect(Self.brokenRows(result) == [5])
        #expect(result.breaks[0].what.hasPrefix("missing (deleted)"))
    }

    @Test func aCutOffTailIsNamedRowByRow() {
        var (rows, checkpoints) = Self.log(10)
        rows.removeLast(3)
        let result = AuditVerifier.verify(rows: rows, checkpoints: checkpoints)
        #expect(Self.brokenRows(result) == [8, 9, 10])
        #expect(result.breaks.allSatisfy { $0.what.contains("cut from the end") })
    }

    /// Cut back, then appended to again (by auth, which signs the new heads): the signed heads
    /// of the old rows disagree with the new ones.
    @Test func aCutOffTailWrittenAgainIsNamed() {
        let (original, checkpoints) = Self.log(10)
        let (rewritten, newCheckpoints) = Self.log(8)
        var rows = Array(original.prefix(7))
        var replacement = rewritten[7]
        replacement.fields.detail = Data("a different row 8".utf8)
        replacement.hash = AuditRowEncoding.chainHash(previous: rows[6].hash ?? Data(), row: replacement.fields)
        rows.append(replacement)
        let result = AuditVerifier.verify(
            rows: rows, checkpoints: checkpoints + [AuditCheckpoint(kind: .head, rows: 8, head: replacement.hash ?? Data(), at: 9_999)])
        #expect(Self.brokenRows(result) == [8, 9, 10])
        _ = newCheckpoints
    }

    @Test func rowsAfterTheLastSignedHeadAreReportedAsOneRange() {
        let (rows, checkpoints) = Self.log(10)
        let result = AuditVerifier.verify(rows: rows, checkpoints: Array(checkpoints.prefix(8)))
        #expect(result.onlyUnsignedTail)
        #expect(result.breaks.first?.description.hasPrefix("audit rows 9–10: not covered") == true)
    }

    /// Heads signed before an anchor (here: before a restore cut the log back) bind no longer.
    @Test func anAnchorSupersedesEarlierHeads() {
        let (rows, checkpoints) = Self.log(10)
        let restored = Array(rows.prefix(6))
        let anchor = AuditCheckpoint(kind: .anchor, rows: 6, head: restored[5].hash ?? Data(), at: 5_000, reason: "restored backup b1")
        let result = AuditVerifier.verify(rows: restored, checkpoints: checkpoints + [anchor])
        #expect(result.intact, "\(result.breaks)")
        #expect(result.anchor == anchor)
        #expect(!AuditVerifier.verify(rows: restored, checkpoints: checkpoints).intact)
    }

    @Test func rejectedCheckpointLinesAreFindings() {
        let (rows, checkpoints) = Self.log(3)
        let result = AuditVerifier.verify(rows: rows, checkpoints: checkpoints, rejectedLines: [(line: 2, error: .badSignature)])
        #expect(result.breaks.map(\.place) == [.checkpointLine(2)])
    }

    /// A store re-hashed at upgrade has one anchor for its old rows: an edit covered by a
    /// recomputed chain is still found, and the span it may be in is named.
    @Test func aRechainUnderASingleAnchorIsFound() {
        var (rows, checkpoints) = Self.log(10)
        let anchor = AuditCheckpoint(kind: .anchor, rows: 10, head: checkpoints[9].head, at: 3_000, reason: "upgrade")
        rows[2].fields.detail = Data("edited".utf8)
        Self.rechain(&rows, from: 2)
        let result = AuditVerifier.verify(rows: rows, checkpoints: [anchor])
        #expect(Self.brokenRows(result) == [10])
        #expect(result.breaks[0].what.contains("a row after row 0"))
    }
}

extension AuditVerifierTests {
    /// A row renumbered far beyond the signed rows is one finding, found at once.
    @Test func aRowRenumberedFarAheadIsFoundWithoutCountingToIt() {
        var (rows, checkpoints) = Self.log(10)
        rows[9].fields.seq = 1_000_000_000_000
        let result = AuditVerifier.verify(rows: rows, checkpoints: checkpoints)
        // Row 10 is gone from where it was signed, and reappears, changed, far ahead.
        #expect(Self.brokenRows(result) == [10, 1_000_000_000_000])
        #expect(result.breaks.map(\.place).contains(.rows(11...999_999_999_999)))
        #expect(result.breaks.map(\.place).contains(.rows(11...1_000_000_000_000)))
    }
}
