import CarbonModel
import Contracts
import Foundation
import Testing

@Suite struct TenantRenameTests {
    func text(_ data: Data?) -> String? { data.map { String(decoding: $0, as: UTF8.self) } }

    @Test func renamesTheTenantMembersAtAnyDepthAndNothingElse() throws {
        let stored = Data(#"{"kind":"usage","tenant":"A","value":1.5,"tenants":[{"tenant":"A","kg":2},{"tenant":"B","kg":3}],"note":"A"}"#.utf8)
        // "note":"A" is not a tenant member and stays; B stays.
        #expect(
            text(try TenantRename.json(stored, tenant: "A", to: "erased-1"))
                == #"{"kind":"usage","note":"A","tenant":"erased-1","tenants":[{"kg":2,"tenant":"erased-1"},{"kg":3,"tenant":"B"}],"value":1.5}"#)
    }

    @Test func aDocumentWithoutTheTenantIsLeftAlone() throws {
        #expect(try TenantRename.json(Data(#"{"tenant":"B"}"#.utf8), tenant: "A", to: "erased-1") == nil)
        #expect(try TenantRename.json(Data("not json".utf8), tenant: "A", to: "erased-1") == nil)
    }

    /// A document that holds the tenant's name but is not JSON cannot be rewritten: the erase
    /// fails naming it rather than leaving the name behind without a word.
    @Test func anUnreadableDocumentHoldingTheNameIsAnError() {
        let error = #expect(throws: TenantDocumentError.self) {
            try TenantRename.json(Data("acme, not json".utf8), tenant: "acme", to: "erased-1", document: "records row s/1")
        }
        guard case .unreadable(let document, let tenant, _)? = error else {
            Issue.record("expected .unreadable, got \(String(describing: error))")
            return
        }
        #expect(document == "records row s/1")
        #expect(tenant == "acme")
    }
}
