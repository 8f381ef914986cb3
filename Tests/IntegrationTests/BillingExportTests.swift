import Foundation
import Testing

/// Billing export folders in the real collector: the sample AWS Cost and Usage Report and Google
/// Cloud billing export under Tests/Samples/billing are converted with their mappings, their
/// malformed rows rejected by their own line numbers and quarantined, and the usage lands.
@Suite(.serialized) struct BillingExportTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples/billing")

    @Test func awsAndGoogleCloudExportsLandOnceWithTheirBadRowsQuarantinedByLine() async throws {
        let suite = try SuiteProcess()
        let aws = suite.dataDir.appendingPathComponent("aws-cur"), gcp = suite.dataDir.appendingPathComponent("gcp-billing")
        let sources: [String: Any] = [
            "billing_export": [
                ["name": "aws-cur", "folder": aws.path, "format": "aws_cur", "poll_seconds": 0.1,
                 "mapping": Self.samples.appendingPathComponent("aws-mapping.json").path],
                ["name": "gcp-billing", "folder": gcp.path, "format": "gcp_bigquery", "poll_seconds": 0.1,
                 "mapping": Self.samples.appendingPathComponent("gcp-mapping.json").path],
            ]
        ]
        try await suite.startWithSources(sources)
        let fm = FileManager.default
        func drop(_ sample: String, into folder: URL, as name: String) throws {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            let part = folder.appendingPathComponent(name + ".part")
            try Data(contentsOf: Self.samples.appendingPathComponent(sample)).write(to: part)
            try fm.moveItem(at: part, to: folder.appendingPathComponent(name))
        }
        func note(_ url: URL) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        }
        func rejectedLines(_ verdict: [String: Any]) -> [Int] {
            (verdict["rejected"] as? [[String: Any]] ?? []).compactMap { int($0["line"]) }.sorted()
        }

        try drop("aws-cur-2024-01.csv", into: aws, as: "cur-2024-01.csv")
        try drop("gcp-billing-2024-01.csv", into: gcp, as: "billing-2024-01.csv")
        let awsNote = aws.appendingPathComponent("done/cur-2024-01.csv.verdict.json")
        let gcpNote = gcp.appendingPathComponent("done/billing-2024-01.csv.verdict.json")
        try await suite.waitUntil("both exports are in done/") { fm.fileExists(atPath: awsNote.path) && fm.fileExists(atPath: gcpNote.path) }

        // AWS: lines 2, 3, 5 land; 7 (amount "abc"), 8 (month 13), 9 (short row), 10 (no tenant)
        // are rejected by the conversion and 11 (region us-east-2, not declared) by validation.
        let awsDone = try note(awsNote)
        let awsVerdict = try #require(awsDone["verdict"] as? [String: Any], "\(awsDone)")
        #expect(int(awsVerdict["accepted"]) == 3, "\(awsVerdict)")
        #expect(rejectedLines(awsVerdict) == [7, 8, 9, 10, 11], "\(awsVerdict)")
        let awsRejected = awsVerdict["rejected"] as? [[String: Any]] ?? []
        #expect((awsRejected.first { int($0["line"]) == 7 }?["reason"] as? String)?.contains(#"lineItem/UsageAmount "abc" is not a number"#) == true)
        #expect((awsRejected.first { int($0["line"]) == 11 }?["reason"] as? String)?.contains("us-east-2") == true, "\(awsRejected)")
        let conversion = try #require(awsDone["conversion"] as? [String: Any])
        #expect(conversion["not_usage"] as? [String: Int] == ["Tax": 1, "Credit": 1])
        #expect(conversion["unmapped"] as? [String: Int] == ["AWSCloudTrail": 1])

        // The rejected rows are in quarantine with their raw text.
        let batch = try #require(awsVerdict["batch"] as? String)
        let quarantine = try await suite.json(.preprocessor, "/v1/quarantine?batch=\(batch)")
        #expect(quarantine["total"] as? Int == 5, "\(quarantine)")
        let raws = (quarantine["records"] as? [[String: Any]] ?? []).compactMap { $0["raw"] as? String }
        #expect(raws.contains { $0.contains("abc") && $0.contains("i-0a1b2c3d4e5f60001") }, "\(raws)")

        // GCP: lines 2 (cores) and 4 (storage) land; 6 (no amount) and 7 ("yesterday") are rejected.
        let gcpVerdict = try #require(try note(gcpNote)["verdict"] as? [String: Any])
        #expect(int(gcpVerdict["accepted"]) == 2, "\(gcpVerdict)")
        #expect(rejectedLines(gcpVerdict) == [6, 7], "\(gcpVerdict)")

        // The same export dropped again under another name is not ingested twice.
        try drop("aws-cur-2024-01.csv", into: aws, as: "cur-2024-01-again.csv")
        let againNote = aws.appendingPathComponent("done/cur-2024-01-again.csv.verdict.json")
        try await suite.waitUntil("the second copy is in done/") { fm.fileExists(atPath: againNote.path) }
        #expect(try note(againNote)["already_delivered_as_batch"] as? String == batch)

        let health = try #require(try await suite.sources()["aws-cur"])
        #expect(health["kind"] as? String == "billing_export")
        #expect(int(health["batches"]) == 1 && int(health["accepted"]) == 3 && int(health["rejected"]) == 5, "\(health)")

        // Downstream, January 2024 in r1: A ecs 2 (AWS) + 7200 vCPU-s = 2 (GCP) = 4 vCPU-h;
        // B ecs 24 h × 4 vCPU = 96; A oss 0.1 GB-Mo × 730 = 73 GB-h; B oss 3600 GB-s = 1 GB-h.
        try await suite.waitDrained()
        let tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        expectClose(row(tenants, ["tenant": "A", "product": "ecs"])?["usage"], 4, "A ecs usage")
        expectClose(row(tenants, ["tenant": "B", "product": "ecs"])?["usage"], 96, "B ecs usage")
        expectClose(row(tenants, ["tenant": "A", "product": "oss"])?["usage"], 73, "A oss usage")
        expectClose(row(tenants, ["tenant": "B", "product": "oss"])?["usage"], 1, "B oss usage")
        await suite.stopAll()
    }
}
