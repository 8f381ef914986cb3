import Foundation
import ServiceKit
import Testing

/// Request bodies as a careless or hostile caller sends them: each refusal is a 400 that names
/// the field at fault.
@Suite struct RequestBodyDecodingTests {
    struct Budget: Decodable, Equatable {
        var tenant: String
        var kgco2e: Double
    }

    func refusal(_ body: String) -> APIError? {
        do {
            _ = try HTTPSupport.decodeOneOrMany(Budget.self, from: Data(body.utf8), expected: "{\"tenant\", \"kgco2e\"}")
            return nil
        } catch {
            return error
        }
    }

    @Test func oneOrManyAreRead() throws {
        #expect(try HTTPSupport.decodeOneOrMany(Budget.self, from: Data(#"{"tenant":"a","kgco2e":1}"#.utf8), expected: "") == [Budget(tenant: "a", kgco2e: 1)])
        #expect(try HTTPSupport.decodeOneOrMany(Budget.self, from: Data(" \n[{\"tenant\":\"a\",\"kgco2e\":1},{\"tenant\":\"b\",\"kgco2e\":2}]".utf8), expected: "").count == 2)
    }

    @Test func aMissingFieldIsNamed() {
        let error = refusal(#"{"tenant":"a"}"#)
        #expect(error?.status == .badRequest && error?.field == "kgco2e")
        #expect(error?.message.contains("the body must be {\"tenant\", \"kgco2e\"}") == true)
    }

    @Test func aMistypedFieldIsNamedEvenInsideAnArray() {
        #expect(refusal(#"{"tenant":"a","kgco2e":"lots"}"#)?.field == "kgco2e")
        #expect(refusal(#"[{"tenant":"a","kgco2e":1},{"tenant":7,"kgco2e":1}]"#)?.field?.hasSuffix("tenant") == true)
    }

    @Test func repeatedKeysAndNonJSONAreRefused() {
        let twice = refusal(#"{"tenant":"a","tenant":"b","kgco2e":1}"#)
        #expect(twice?.status == .badRequest && twice?.field == "tenant")
        #expect(refusal("tenant=a&kgco2e=1")?.status == .badRequest)
        #expect(refusal("")?.status == .badRequest)
        #expect(refusal(#"{"tenant":"a","kgco2e":1e999}"#)?.status == .badRequest)
    }
}
