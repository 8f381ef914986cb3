import CarbonModel
import RecordParsing
import Foundation
import Testing

/// A key repeated in one object is found wherever it is and however it is spelled.
struct JSONDuplicateKeyTests {
    func first(_ text: String) -> String? { JSONDuplicateKey.first(in: Data(text.utf8)) }

    @Test func uniqueKeysAreFine() {
        #expect(first(#"{"tenant":"a","kind":"usage","tags":{"team":"x","env":"y"}}"#) == nil)
        // The same key in different objects, or as a value, is not a repeat.
        #expect(first(#"[{"tenant":"a"},{"tenant":"b"}]"#) == nil)
        #expect(first(#"{"tenant":"tenant","tags":{"tenant":"x"}}"#) == nil)
        #expect(first(#"{"a":"x\"y","b":"\\","c":[1,{"a":2}]}"#) == nil)
    }

    @Test func repeatsAreNamed() {
        #expect(first(#"{"tenant":"bravo","tenant":"alpha"}"#) == "tenant")
        #expect(first(#"{"kind":"facility.electricity","value":1,"kind":"usage"}"#) == "kind")
        #expect(first(#"{"tags":{"team":"x","team":"y"}}"#) == "team")
        #expect(first(#"[{"a":1},{"b":1,"b":2}]"#) == "b")
    }

    @Test func escapedSpellingsOfTheSameKeyAreRepeats() {
        #expect(first(#"{"tenant":"bravo","ten\u0061nt":"alpha"}"#) == "tenant")
        #expect(first(#"{"a\"b":1,"a\u0022b":2}"#) == "a\"b")
    }
}
