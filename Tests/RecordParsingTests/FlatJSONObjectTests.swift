import CarbonModel
import RecordParsing
import Foundation
import Testing

@Suite("FlatJSONObject: the fast record reader")
struct FlatJSONObjectTests {
    private func parse(_ text: String) -> FlatJSONObject? { FlatJSONObject(Data(text.utf8)) }

    @Test("reads strings, numbers, booleans, null and an object of strings")
    func readsFlatObjects() throws {
        let object = try #require(
            parse(#" { "a" : "x", "n": -12, "d": 2.5e-3, "t": true, "f": false, "z": null, "tags": {"k": "v", "e": ""} } "#))
        #expect(object["a"] == .string("x"))
        #expect(object["n"] == .number(-12, exact: -12))
        #expect(object["d"] == .number(0.0025, exact: nil))
        #expect(object["t"] == .bool(true))
        #expect(object["f"] == .bool(false))
        #expect(object["z"] == .null)
        #expect(object["tags"] == .strings(["k": "v", "e": ""]))
        #expect(try object.string("missing").get() == nil)
        #expect(try object.string("z").get() == nil)
        #expect((try? object.number("a").get()) == nil)
    }

    @Test("decodes every escape, surrogate pairs included")
    func decodesEscapes() throws {
        let object = try #require(parse(#"{"s": "q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud83d\ude00 é"}"#))
        #expect(object["s"] == .string("q\" b\\ s/ \u{8}\u{c}\n\r\t é 😀 é"))
    }

    @Test("keeps integers beyond 2^53 exact")
    func exactIntegers() throws {
        let object = try #require(parse(#"{"big": 9007199254740993, "max": 9223372036854775807, "over": 9223372036854775808}"#))
        #expect(try object.integer("big").get() == 9_007_199_254_740_993)
        #expect(try object.integer("max").get() == Int64.max)
        // Beyond Int64: a number, but not an exact integer.
        #expect((try? object.integer("over").get()) == nil)
        #expect(try object.number("over").get() == 9_223_372_036_854_775_808.0)
    }

    @Test(
        "declines what is not a flat object of strict JSON, so JSONDecoder can say what is wrong",
        arguments: [
            "", "[]", "\"text\"", "{", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":+1}",
            "{\"a\":1e}", "{\"a\":[1]}", "{\"a\":{\"b\":1}}", "{\"a\":{\"b\":{}}}", "{\"a\":tru}", "{\"a\":\"x\" \"b\":1}",
            "{\"a\":\"\u{1}\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":1e400}",
            "{\"a\":1,\"a\":2}", "{\"a\":1} x", "{'a':1}", "{\"a\":NaN}",
        ])
    func declines(_ text: String) {
        #expect(parse(text) == nil)
    }

    @Test("declines invalid UTF-8 inside a string")
    func declinesInvalidUTF8() {
        var bytes = Array(#"{"a":"x"#.utf8)
        bytes.append(0xFF)
        bytes.append(contentsOf: Array(#""}"#.utf8))
        #expect(FlatJSONObject(Data(bytes)) == nil)
    }

    @Test("agrees with JSONSerialization on every string and number it accepts")
    func agreesWithFoundation() throws {
        let samples = [
            #"{"a":"plain","b":0,"c":-0.0,"d":1E+2,"e":123.456e-7,"f":"\u0041\u00DF\u6771\uD801\uDC37"}"#,
            #"{"region":"cn-north","value":1234.5678,"start":"2023-06-01T00:00:00Z","tags":{"project":"x/y","cost centre":"42"}}"#,
        ]
        for sample in samples {
            let data = Data(sample.utf8)
            let object = try #require(FlatJSONObject(data))
            let reference = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(Set(reference.keys) == Set(object.members.keys))
            for (key, value) in reference {
                switch object[key] {
                case .string(let text)?: #expect(text == value as? String)
                case .number(let number, _)?: #expect(number == (value as? NSNumber)?.doubleValue)
                case .strings(let map)?: #expect(map == value as? [String: String])
                default: Issue.record("unexpected value for \(key)")
                }
            }
        }
    }

    @Test("an array of records reads as its elements; a bad element declines the whole")
    func arrays() {
        #expect(FlatJSONObject.array(Data(#" [ {"a":1} , {"b":"x"} ] "#.utf8))?.count == 2)
        #expect(FlatJSONObject.array(Data("[]".utf8))?.count == 0)
        #expect(FlatJSONObject.array(Data(#"[{"a":1},2]"#.utf8)) == nil)
        #expect(FlatJSONObject.array(Data(#"[{"a":1}"#.utf8)) == nil)
    }
}

@Suite("NormalizedRecord's message form")
struct NormalizedRecordWireTests {
    private let records = [
        NormalizedRecord(
            source: "s", id: "1", revision: 3, kind: .usage, start: 1_685_577_600, end: 1_685_581_200, amount: 9_007_199_254_740_993,
            unit: "vCPU-h", site: "bj-1", region: "cn-north", product: "ecs", tenant: "acme \"q\" \u{1}", utilization: 0.35,
            provider: "aws", resourceType: "compute", processor: "Skylake", replication: 2, tags: ["project": "x", "a": "é"]),
        NormalizedRecord(
            source: "s", id: "2", kind: .hardwareEmbodied, start: 1_685_577_600, end: 1_780_272_000, amount: 1_500_000_000,
            unit: "kgCO2e", site: "bj-1", region: "cn-north", lifetimeMonths: 36, resource: "server"),
    ]

    @Test("round-trips through the fast reader and through JSONDecoder alike")
    func roundTrips() throws {
        let body = NormalizedRecord.encodeArray(records)
        #expect(try NormalizedRecord.decodeArray(body) == records)
        #expect(try JSONDecoder().decode([NormalizedRecord].self, from: body) == records)
        for record in records {
            #expect(try NormalizedRecord.decode(record.wireEncoding()) == record)
            var unrevised = record
            unrevised.revision = 0
            #expect(try NormalizedRecord.decode(record.canonicalEncoding()) == unrevised)
        }
    }

    @Test("the message form is the canonical form plus the revision")
    func wireIsCanonicalPlusRevision() throws {
        let wire = try #require(try JSONSerialization.jsonObject(with: records[0].wireEncoding()) as? [String: Any])
        let canonical = try #require(try JSONSerialization.jsonObject(with: records[0].canonicalEncoding()) as? [String: Any])
        #expect(wire["revision"] as? Int == 3)
        #expect(canonical["revision"] == nil)
        #expect(Set(wire.keys).subtracting(canonical.keys) == ["revision"])
    }

    @Test("bodies the fast reader declines still decode, by JSONDecoder")
    func fallsBack() throws {
        // Pretty-printed with an unknown array field: not flat, decoded by JSONDecoder.
        let text = """
            [{"source":"s","id":"1","revision":1,"kind":"usage","start":0,"end":3600,"amount":5,"unit":"vCPU-h",
              "region":"r","tenant":"t","product":"p","extra":[1,2]}]
            """
        let decoded = try NormalizedRecord.decodeArray(Data(text.utf8))
        #expect(decoded.count == 1)
        #expect(decoded.first?.amount == 5)
    }
}
