import Foundation
import Testing

@testable import Auth

/// The canonical encoding hashes exactly the stored bytes: no byte ends a field early, and no
/// two different rows encode alike.
@Suite struct AuditRowEncodingTests {
    static func row(_ actor: String = "admin", tenant: String? = nil, detail: String = "", seq: Int64 = 1, at: Int64 = 100) -> AuditRowFields {
        AuditRowFields(seq: seq, at: at, entry: AuditEntry(actor: actor, action: "login", tenant: tenant, outcome: "failure", detail: detail))
    }

    static func hash(_ row: AuditRowFields) -> Data { AuditRowEncoding.chainHash(previous: AuditRowEncoding.genesis, row: row) }

    @Test func aNulIsPartOfTheValueNotItsEnd() {
        #expect(Self.hash(Self.row("adm\u{0}in")) != Self.hash(Self.row("adm")))
        #expect(Self.hash(Self.row("adm\u{0}in")) != Self.hash(Self.row("adm\u{0}")))
        #expect(AuditRowEncoding.canonicalBytes(Self.row("adm\u{0}in")).count == AuditRowEncoding.canonicalBytes(Self.row("admin")).count + 1)
    }

    @Test func fieldsCannotBleedIntoEachOther() {
        let a = AuditRowFields(seq: 1, at: 1, actor: Data("ab".utf8), action: Data("c".utf8), tenant: nil, outcome: Data(), detail: Data())
        let b = AuditRowFields(seq: 1, at: 1, actor: Data("a".utf8), action: Data("bc".utf8), tenant: nil, outcome: Data(), detail: Data())
        #expect(Self.hash(a) != Self.hash(b))
    }

    /// The old encoding hashed an absent tenant as the one-character string "\0".
    @Test func anAbsentTenantDiffersFromEveryPresentOne() {
        #expect(Self.hash(Self.row(tenant: nil)) != Self.hash(Self.row(tenant: "\u{0}")))
        #expect(Self.hash(Self.row(tenant: nil)) != Self.hash(Self.row(tenant: "")))
        let legacyAbsent = AuditRowEncoding.legacyChainHash(
            seq: 1, at: 1, entry: AuditEntry(actor: "a", action: "b", tenant: nil, outcome: "c", detail: "d"), previous: AuditRowEncoding.genesis)
        let legacyNul = AuditRowEncoding.legacyChainHash(
            seq: 1, at: 1, entry: AuditEntry(actor: "a", action: "b", tenant: "\u{0}", outcome: "c", detail: "d"), previous: AuditRowEncoding.genesis)
        #expect(legacyAbsent == legacyNul)
    }

    @Test func sequenceTimeAndPreviousHashAreAllCovered() {
        let base = Self.hash(Self.row())
        #expect(Self.hash(Self.row(seq: 2)) != base)
        #expect(Self.hash(Self.row(at: 101)) != base)
        #expect(AuditRowEncoding.chainHash(previous: Data(repeating: 1, count: 32), row: Self.row()) != base)
        var noTime = Self.row()
        noTime.at = nil
        #expect(Self.hash(noTime) != base)
    }

    /// The layout, byte for byte: a tag, a big-endian length or integer, the bytes.
    @Test func layoutIsTagLengthValue() {
        let bytes = AuditRowEncoding.canonicalBytes(
            AuditRowFields(seq: 2, at: 3, actor: Data("x".utf8), action: Data(), tenant: nil, outcome: Data("o".utf8), detail: Data()))
        var expected = Data([0x02, 0, 0, 0, 0, 0, 0, 0, UInt8(AuditRowEncoding.domain.count)]) + AuditRowEncoding.domain
        expected += Data([0x01, 0, 0, 0, 0, 0, 0, 0, 2])  // seq
        expected += Data([0x01, 0, 0, 0, 0, 0, 0, 0, 3])  // at
        expected += Data([0x02, 0, 0, 0, 0, 0, 0, 0, 1]) + Data("x".utf8)  // actor
        expected += Data([0x02, 0, 0, 0, 0, 0, 0, 0, 0])  // action, empty
        expected += Data([0x00])  // tenant, absent
        expected += Data([0x02, 0, 0, 0, 0, 0, 0, 0, 1]) + Data("o".utf8)  // outcome
        expected += Data([0x02, 0, 0, 0, 0, 0, 0, 0, 0])  // detail, empty
        #expect(bytes == expected)
    }
}
