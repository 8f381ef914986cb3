import Foundation
import Testing

/// One test per kind of bad record: each batch holds the bad record between two good ones;
/// the verdict names the line, the field and the problem, and the good records land.
@Suite(.serialized) struct BadRecordKindTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var record: String
        var field: String?
        var words: [String]
        var testDescription: String { name }
    }

    static func usage(_ id: String, _ fields: String) -> String {
        #"{"source":"k","id":"\#(id)","kind":"usage",\#(fields)}"#
    }

    static let base = #""tenant":"A","product":"ecs","region":"r1","start":"2024-01-03T00:00:00Z","end":"2024-01-03T01:00:00Z""#

    static let cases: [Case] = [
        Case(name: "negative value", record: usage("bad", base + #","value":-1,"unit":"vCPU-h""#), field: "value", words: ["negative"]),
        Case(name: "unknown unit", record: usage("bad", base + #","value":1,"unit":"furlongs""#), field: "unit", words: ["furlongs"]),
        Case(
            name: "end before start",
            record: usage("bad", #""tenant":"A","product":"ecs","region":"r1","start":"2024-01-03T05:00:00Z","end":"2024-01-03T01:00:00Z","value":1,"unit":"vCPU-h""#),
            field: "end", words: ["after"]),
        Case(
            name: "unknown site",
            record: #"{"source":"k","id":"bad","kind":"facility.electricity","site":"atlantis","start":"2024-01-03T00:00:00Z","end":"2024-01-03T01:00:00Z","value":1,"unit":"kWh"}"#,
            field: "site", words: ["atlantis"]),
        Case(
            name: "unknown product",
            record: usage("bad", #""tenant":"A","product":"quantum","region":"r1","start":"2024-01-03T00:00:00Z","end":"2024-01-03T01:00:00Z","value":1,"unit":"vCPU-h""#),
            field: "product", words: ["quantum"]),
        Case(
            name: "missing tenant",
            record: usage("bad", #""product":"ecs","region":"r1","start":"2024-01-03T00:00:00Z","end":"2024-01-03T01:00:00Z","value":1,"unit":"vCPU-h""#),
            field: "tenant", words: ["tenant"]),
        Case(name: "unit that does not fit the product", record: usage("bad", base + #","value":1,"unit":"GB""#), field: "unit", words: ["GB", "ecs"]),
        Case(name: "value that is not a number", record: usage("bad", base + #","value":"lots","unit":"vCPU-h""#), field: "value", words: ["number"]),
        Case(name: "unparseable line", record: #"{"source":"k","id":"bad",,}"#, field: nil, words: ["JSON"]),
    ]

    @Test(arguments: cases)
    func badRecordIsRejectedAndGoodOnesLand(_ bad: Case) async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()
        let batch = [
            Self.usage("good-1", Self.base + #","value":2,"unit":"vCPU-h""#), bad.record, Self.usage("good-2", Self.base + #","value":3,"unit":"vCPU-h""#),
        ].joined(separator: "\n")
        let verdict = try await suite.postExpectingAccepted("/v1/activity", batch, "application/x-ndjson", accepted: 2)
        let rejected = try #require(verdict["rejected"] as? [[String: Any]])
        #expect(rejected.count == 1, "\(rejected)")
        let entry = try #require(rejected.first)
        #expect(entry["line"] as? Int == 2)
        #expect(entry["field"] as? String == bad.field, "\(entry)")
        let reason = entry["reason"] as? String ?? ""
        for word in bad.words { #expect(reason.contains(word), "reason \"\(reason)\" lacks \"\(word)\"") }
        if let field = bad.field { #expect(reason.hasPrefix("\(field):"), "reason \"\(reason)\" does not start with the field") }
        try await suite.waitDrained()
        let tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        expectClose(row(tenants, ["tenant": "A", "product": "ecs"])?["usage"], 5, "good records' usage")
        await suite.stopAll()
    }
}
