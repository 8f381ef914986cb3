import Foundation
import Testing

/// One batch holding good records and one of each kind of bad record: each bad one is named
/// by line with a reason naming the field, kept in quarantine, and the good ones land.
@Suite(.serialized) struct BadRecordTests {
    static let batch = """
        {"source":"t","id":"good-1","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"2024-01-01T00:00:00Z","end":"2024-01-01T01:00:00Z","value":3,"unit":"vCPU-h"}
        {"source":"t","id":"neg","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"2024-01-01T00:00:00Z","end":"2024-01-01T01:00:00Z","value":-3,"unit":"vCPU-h"}
        {"source":"t","id":"unit","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"2024-01-01T00:00:00Z","end":"2024-01-01T01:00:00Z","value":3,"unit":"parsecs"}
        {"source":"t","id":"order","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"2024-01-01T02:00:00Z","end":"2024-01-01T01:00:00Z","value":3,"unit":"vCPU-h"}
        {"source":"t","id":"site","kind":"facility.electricity","site":"nowhere","start":"2024-01-01T00:00:00Z","end":"2024-01-01T01:00:00Z","value":3,"unit":"kWh"}
        {"source":"t","id":"product","kind":"usage","tenant":"A","product":"gpu","region":"r1","start":"2024-01-01T00:00:00Z","end":"2024-01-01T01:00:00Z","value":3,"unit":"vCPU-h"}
        {"source":"t","id":"tenant","kind":"usage","product":"ecs","region":"r1","start":"2024-01-01T00:00:00Z","end":"2024-01-01T01:00:00Z","value":3,"unit":"vCPU-h"}
        {"source":"t","id":"fit","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"2024-01-01T00:00:00Z","end":"2024-01-01T01:00:00Z","value":3,"unit":"kWh"}
        {"source":"t","id":"nan","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"2024-01-01T00:00:00Z","end":"2024-01-01T01:00:00Z","value":"three","unit":"vCPU-h"}
        {"source":"t","id":"broken", "kind": "usage", oops}
        {"source":"t","id":"good-2","kind":"usage","tenant":"B","product":"ecs","region":"r1","start":"2024-01-01T00:00:00Z","end":"2024-01-01T01:00:00Z","value":1,"unit":"vCPU-h"}
        """

    /// (line, field, words the reason must contain)
    static let expected: [(Int, String?, [String])] = [
        (2, "value", ["negative"]),
        (3, "unit", ["parsecs"]),
        (4, "end", ["after"]),
        (5, "site", ["nowhere"]),
        (6, "product", ["gpu"]),
        (7, "tenant", ["tenant"]),
        (8, "unit", ["kWh", "ecs"]),
        (9, "value", ["number"]),
        (10, nil, ["JSON"]),
    ]

    @Test func eachBadRecordIsNamedQuarantinedAndTheGoodOnesLand() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()

        let verdict = try await suite.postExpectingAccepted("/v1/activity", Self.batch, "application/x-ndjson", accepted: 2)
        let rejected = try #require(verdict["rejected"] as? [[String: Any]])
        #expect(rejected.count == Self.expected.count, "\(rejected)")
        for (line, field, words) in Self.expected {
            let entry = rejected.first { $0["line"] as? Int == line }
            #expect(entry != nil, "line \(line) not rejected: \(rejected)")
            guard let entry else { continue }
            #expect(entry["field"] as? String == field, "line \(line): \(entry)")
            let reason = entry["reason"] as? String ?? ""
            for word in words { #expect(reason.contains(word), "line \(line) reason \"\(reason)\" lacks \"\(word)\"") }
            if let field { #expect(reason.hasPrefix(field), "line \(line) reason \"\(reason)\" does not name \(field)") }
        }

        // Quarantine keeps them all, raw text included.
        let batchID = try #require(verdict["batch"] as? String)
        let quarantine = try await suite.json(.preprocessor, "/v1/quarantine?batch=\(batchID)")
        #expect(quarantine["total"] as? Int == Self.expected.count)
        let records = quarantine["records"] as? [[String: Any]] ?? []
        #expect(records.contains { ($0["raw"] as? String)?.contains("oops") == true })

        // A JSON array reports indexes; an unframeable body is refused whole with 400.
        let array = #"[{"source":"t","id":"x","kind":"usage"}, 42]"#
        let (arrayStatus, arrayData) = try await suite.post(.collector, "/v1/activity", body: Data(array.utf8), contentType: "application/json")
        #expect(arrayStatus == 200)
        let arrayVerdict = try #require(try JSONSerialization.jsonObject(with: arrayData) as? [String: Any])
        let indexes = (arrayVerdict["rejected"] as? [[String: Any]] ?? []).compactMap { $0["index"] as? Int }
        #expect(indexes.sorted() == [0, 1])
        let (badStatus, badBody) = try await suite.post(.collector, "/v1/activity", body: Data("[{".utf8), contentType: "application/json")
        #expect(badStatus == 400, "\(String(decoding: badBody, as: UTF8.self))")
        let (typeStatus, _) = try await suite.post(.collector, "/v1/activity", body: Data("x".utf8), contentType: "application/xml")
        #expect(typeStatus == 415)

        // The good records are in the results: A 3 vCPU-h and B 1 vCPU-h of ecs in January.
        try await suite.waitDrained()
        let tenants = try await suite.emissions("layer=tenant&product=ecs&from=2024-01&to=2024-01")
        expectClose(row(tenants, ["tenant": "A"])?["usage"], 3, "A usage")
        expectClose(row(tenants, ["tenant": "B"])?["usage"], 1, "B usage")
        expectClose(row(tenants, ["tenant": "A"])?["scope2_location"], 0.75 * Fixture.ecsJan.location, "A location")
        await suite.stopAll()
    }
}
