import Crypto
import Foundation
import Testing

@testable import Auth

/// A checkpoint line reads back only as signed: any change to it, or another key, is refused.
@Suite struct AuditCheckpointTests {
    let key = Curve25519.Signing.PrivateKey()
    let checkpoint = AuditCheckpoint(kind: .anchor, rows: 42, head: Data(repeating: 0xab, count: 32), at: 1_700_000_000, reason: "restored\nbackup b1")

    @Test func aSignedLineReadsBack() throws {
        let line = try checkpoint.line(signedWith: key)
        #expect(!line.contains("\n"))
        #expect(try AuditCheckpoint.parse(line, verifyingWith: key.publicKey).get() == checkpoint)
    }

    @Test func anEditedLineIsRefused() throws {
        let line = try checkpoint.line(signedWith: key)
        let edited = line.replacingOccurrences(of: "rows=42", with: "rows=41")
        #expect(AuditCheckpoint.parse(edited, verifyingWith: key.publicKey) == .failure(.badSignature))
        let otherKey = Curve25519.Signing.PrivateKey()
        #expect(AuditCheckpoint.parse(line, verifyingWith: otherKey.publicKey) == .failure(.badSignature))
        guard case .failure(.malformed) = AuditCheckpoint.parse("rows=1", verifyingWith: key.publicKey) else {
            Issue.record("a line without a signature must be malformed")
            return
        }
    }
}
