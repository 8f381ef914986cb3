import CarbonModel
import Contracts
import Foundation
import Testing

@Suite struct TenantRenameTests {
    func text(_ data: Data?) -> String? { data.map { String(decoding: $0, as: UTF8.self) } }

    @Test func renamesTheTenantMembersAtAnyDepthAndNothingElse() {
        let stored = Data(#"{"kind":"usage","tenant":"A","value":1.5,"tenants":[{"tenant":"A","kg":2},{"tenant":"B","kg":3}],"note":"A"}"#.utf8)
        // "note":"A" is not a tenant member and stays; B stays.
        #expect(
            text(TenantRename.json(stored, tenant: "A", to: "erased-1"))
                == #"{"kind":"usage","note":"A","tenant":"erased-1","tenants":[{"kg":2,"tenant":"erased-1"},{"kg":3,"tenant":"B"}],"value":1.5}"#)
    }

    @Test func aDocumentWithoutTheTenantIsLeftAlone() {
        #expect(TenantRename.json(Data(#"{"tenant":"B"}"#.utf8), tenant: "A", to: "erased-1") == nil)
        #expect(TenantRename.json(Data("not json".utf8), tenant: "A", to: "erased-1") == nil)
    }
}
