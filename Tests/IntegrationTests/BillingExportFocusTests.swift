import Foundation
import Testing

/// FOCUS exports in the real collector: four providers' habits (Tests/Samples/billing/focus),
/// one of them gzip, two as a folder of parts with a byte-identical copy; usage in regions with
/// facility data allocated as measured, elsewhere estimated; bad rows quarantined by line and
/// part; a large gzip export read across a collector killed mid-file, exactly once.
@Suite(.serialized) struct BillingExportFocusTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples/billing/focus")

    func note(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// Puts `files` under `name` in `folder`, written elsewhere first and renamed into place.
    func drop(_ files: [(sample: String, as: String)], into folder: URL, folderName: String? = nil) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        if let folderName {
            let staging = folder.appendingPathComponent(folderName + ".part")
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            for file in files { try fm.copyItem(at: Self.samples.appendingPathComponent(file.sample), to: staging.appendingPathComponent(file.as)) }
            try fm.moveItem(at: staging, to: folder.appendingPathComponent(folderName))
        } else {
            for file in files {
                let part = folder.appendingPathComponent(".\(file.as)")
                try fm.copyItem(at: Self.samples.appendingPathComponent(file.sample), to: part)
                try fm.moveItem(at: part, to: folder.appendingPathComponent(file.as))
            }
        }
    }

    func rejected(_ note: [String: Any]) -> [(line: Int?, part: String?, reason: String)] {
        ((note["verdict"] as? [String: Any])?["rejected"] as? [[String: Any]] ?? []).map {
            (int($0["line"]), $0["part"] as? String, $0["reason"] as? String ?? "")
        }
    }

    @Test func fourProvidersGzipAndAFolderOfPartsLandMeasuredOrEstimated() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        // Facility data for ecs and oss in r1: FOCUS usage mapped there is allocated (measured).
        try await suite.declareFixture()
        await suite.stop(.collector)
        let inbox = suite.dataDir.appendingPathComponent("focus")
        try await suite.restartCollector(sources: [
            "billing_export": [
                ["name": "focus", "folder": inbox.path, "format": "focus", "poll_seconds": 0.1, "commit_rows": 3, "batch_records": 4,
                 "mapping": Self.samples.appendingPathComponent("focus-mapping.json").path]
            ]
        ])
        try drop([("focus-aws-2024-01.csv.gz", "aws-2024-01.csv.gz"), ("focus-azure-2024-01.csv", "azure-2024-01.csv")], into: inbox)
        try drop(
            [("focus-gcp-2024-01.csv", "gcp-2024-01.csv"), ("focus-oracle-2024-01.csv", "oracle-2024-01.csv"),
             ("focus-gcp-2024-01.csv", "zz-copy-of-gcp.csv")],
            into: inbox, folderName: "gcp-oracle-2024-01")
        let done = inbox.appendingPathComponent("done")
        let notes = ["aws-2024-01.csv.gz", "azure-2024-01.csv", "gcp-oracle-2024-01"].map { done.appendingPathComponent($0 + ".verdict.json") }
        try await suite.waitUntil("the three exports are in done/") { notes.allSatisfy { FileManager.default.fileExists(atPath: $0.path) } }

        // AWS (gzip): records on lines 2 (with 4), 3, 6, 7; lines 10–13 rejected by the conversion.
        let aws = try note(notes[0])
        #expect(int((aws["verdict"] as? [String: Any])?["accepted"]) == 4, "\(aws)")
        #expect(rejected(aws).map(\.line) == [10, 11, 12, 13], "\(aws)")
        #expect(rejected(aws).first { $0.line == 11 }?.reason.contains(#"sub account "999988887777""#) == true)
        let awsConversion = try #require(aws["conversion"] as? [String: Any])
        #expect(awsConversion["unmapped_lines"] as? [String: [String]] == ["AWS CloudTrail": ["line 9"]])
        #expect(int(awsConversion["rows"]) == 13 && int(awsConversion["usage_records"]) == 4)

        // Microsoft: lines 2, 4, 6 land; 7 (unmapped subscription) and 8 (tags not JSON) do not.
        let azure = try note(notes[1])
        #expect(int((azure["verdict"] as? [String: Any])?["accepted"]) == 3, "\(azure)")
        #expect(rejected(azure).map(\.line) == [7, 8], "\(azure)")

        // The folder: two parts read, the copy listed and left out; rejections name their part.
        let parts = try note(notes[2])
        let partsConversion = try #require(parts["conversion"] as? [String: Any])
        #expect(partsConversion["duplicate_parts"] as? [String] == ["zz-copy-of-gcp.csv"], "\(parts)")
        #expect(int(partsConversion["parts"]) == 2)
        let partRejections = rejected(parts)
        #expect(partRejections.map(\.line) == [8, 4], "\(parts)")
        #expect(partRejections.map(\.part) == ["gcp-2024-01.csv", "oracle-2024-01.csv"])
        #expect(partRejections.first?.reason.hasPrefix("gcp-2024-01.csv line 8: ChargePeriodStart") == true)
        #expect((partsConversion["unmapped_lines"] as? [String: [String]])?["=cmd|' /C calc'!A0"] == ["gcp-2024-01.csv line 7"])
        #expect((partsConversion["unknown_providers"] as? [String: Int]) == ["Oracle": 2])

        // Progress is gone once done; the counts are there.
        let health = try #require(try await suite.sources()["focus"])
        #expect(health["progress"] == nil && health["state"] as? String == "ok", "\(health)")

        // Downstream, January 2024. r1 has facility data: measured. us-west-2 has none: estimated.
        try await suite.waitDrained()
        let tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        let aEcs = try #require(row(tenants, ["tenant": "A", "product": "ecs", "region": "r1"]), "\(tenants)")
        #expect(aEcs["mode"] as? String == "measured")
        // 4 (AWS) + 5 (Google) + 22 (Oracle, OCPU × 2) vCPU-h; Fixture.usageCSV is not sent here.
        expectClose(aEcs["usage"], 31, "A ecs r1")
        expectClose(row(tenants, ["tenant": "B", "product": "ecs", "region": "r1"])?["usage"], 96 + 96 + 4, "B ecs r1")
        expectClose(row(tenants, ["tenant": "A", "product": "oss", "region": "r1"])?["usage"], 73 + 36_500, "A oss r1")
        expectClose(row(tenants, ["tenant": "B", "product": "oss", "region": "r1"])?["usage"], 21_900 + 730 * 1.073741824, "B oss r1")
        let west = try #require(row(tenants, ["tenant": "A", "product": "ecs", "region": "us-west-2"]), "\(tenants)")
        #expect(west["mode"] as? String == "estimated")
        expectClose(west["usage"], 20, "A ecs us-west-2")

        // A tag value that is a spreadsheet formula stays inert in the CSV report.
        let (_, csv) = try await suite.get(.reporter, "/v1/reports?period=2024-01&tenant=A&format=csv")
        let text = String(decoding: csv, as: UTF8.self)
        #expect(text.contains("tag:project"), "\(text.prefix(2000))")
        #expect(text.contains("'=HYPERLINK("), "the formula is written as text")
        #expect(!text.contains(",=HYPERLINK(") && !text.contains(",\"=HYPERLINK("), "a cell starts with a live formula")
        await suite.stopAll()
    }

    @Test func carbonctlStreamsExportsToABillingSourceAndFollowsThemToTheirSummary() async throws {
        let suite = try SuiteProcess()
        let inbox = suite.dataDir.appendingPathComponent("focus")
        try await suite.startWithSources([
            "billing_export": [
                ["name": "focus", "folder": inbox.path, "format": "focus", "poll_seconds": 0.1,
                 "mapping": Self.samples.appendingPathComponent("focus-mapping.json").path]
            ]
        ])
        // One gzip file: uploaded, read, sent; the summary names the rejected lines and the unmapped service.
        let file = try suite.carbonctl(["ingest", "--billing-source", "focus", Self.samples.appendingPathComponent("focus-aws-2024-01.csv.gz").path])
        #expect(file.status == 1, "rejections give exit status 1: \(file.stdout) \(file.stderr)")
        #expect(file.stdout.contains("focus-aws-2024-01.csv.gz: rows 13, usage rows 5, records 4, rejected rows 4"), "\(file.stdout)")
        #expect(file.stdout.contains("rejected focus-aws-2024-01.csv.gz:line 11: line 11: no tenant"), "\(file.stdout)")
        #expect(file.stdout.contains("unmapped: AWS CloudTrail 1 (line 9)"), "\(file.stdout)")
        #expect(file.stderr.contains("uploading"), "\(file.stderr)")
        #expect(FileManager.default.fileExists(atPath: inbox.appendingPathComponent("done/focus-aws-2024-01.csv.gz.verdict.json").path))

        // A folder of parts, uploaded part by part and put in place whole.
        let folder = suite.dataDir.appendingPathComponent("upload/gcp-oracle")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.samples.appendingPathComponent("focus-gcp-2024-01.csv"), to: folder.appendingPathComponent("data/part-1.csv"))
        try FileManager.default.copyItem(at: Self.samples.appendingPathComponent("focus-oracle-2024-01.csv"), to: folder.appendingPathComponent("data/part-2.csv"))
        try Data("{}".utf8).write(to: folder.appendingPathComponent("manifest.json"))
        let parts = try suite.carbonctl(["ingest", "--billing-source", "focus", folder.path])
        #expect(parts.status == 1, "\(parts.stdout) \(parts.stderr)")
        #expect(parts.stdout.contains("rejected gcp-oracle:data/part-1.csv:line 8: data/part-1.csv line 8: ChargePeriodStart"), "\(parts.stdout)")
        #expect(parts.stdout.contains("rejected gcp-oracle:data/part-2.csv:line 4:"), "\(parts.stdout)")
        let status = try await suite.json(.collector, "/v1/sources/focus/exports/gcp-oracle")
        #expect(status["state"] as? String == "done", "\(status)")

        // The same file again: recognised, not ingested twice.
        let again = try suite.carbonctl(["ingest", "--billing-source", "focus", Self.samples.appendingPathComponent("focus-aws-2024-01.csv.gz").path])
        #expect(again.stdout.contains("ingested before"), "\(again.stdout) \(again.stderr)")

        // A source that does not exist, and a name the folder would not take.
        let unknown = try suite.carbonctl(["ingest", "--billing-source", "nope", Self.samples.appendingPathComponent("focus-aws-2024-01.csv").path])
        #expect(unknown.status == 2 && unknown.stderr.contains("no billing_export source named nope"), "\(unknown.stderr)")
        let (hidden, _) = try await suite.post(.collector, "/v1/sources/focus/exports?name=.sneaky.csv", body: Data("x".utf8), contentType: "text/csv")
        #expect(hidden == 400)
        let (escape, _) = try await suite.post(
            .collector, "/v1/sources/focus/exports?name=x&part=../../etc/passwd.csv", body: Data("x".utf8), contentType: "text/csv")
        #expect(escape == 400)
        await suite.stopAll()
    }

    /// A FOCUS file of `rows` rows for sub account sub-1 (tenant A), m5 instances of 2 cores in
    /// us-east-1 over the 24 hours of 2024-01-15; returns the vCPU-hours it holds.
    static func writeLargeExport(to url: URL, rows: Int) throws -> Double {
        let header = "BillingAccountId,SubAccountId,ProviderName,ServiceName,ServiceCategory,RegionId,ChargeCategory,ChargePeriodStart,"
            + "ChargePeriodEnd,ConsumedQuantity,ConsumedUnit,PricingQuantity,PricingUnit,SkuPriceDetails,Tags\n"
        FileManager.default.createFile(atPath: url.path, contents: Data(header.utf8))
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        var total = 0.0
        var text = ""
        for row in 0..<rows {
            let hour = row % 24
            let quantity = Double(row % 7 + 1) / 4
            total += quantity * 2
            let start = String(format: "2024-01-15T%02d:00:00Z", hour), end = String(format: "2024-01-15T%02d:00:00Z", hour + 1)
            text += "999900001111,sub-1,AWS,Amazon Elastic Compute Cloud,Compute,us-east-1,Usage,\(start),"
            text += hour == 23 ? "2024-01-16T00:00:00Z" : end
            text += #",\#(quantity),Hrs,\#(quantity),Hrs,"{""CoreCount"": 2, ""InstanceSeries"": ""m5""}","{""owner"": ""row-\#(row)""}""# + "\n"
            if text.utf8.count > 1 << 20 {
                try handle.write(contentsOf: Data(text.utf8))
                text = ""
            }
        }
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
        return total
    }

    @Test func aLargeGzipExportResumesAfterTheCollectorIsKilledMidFileAndCountsEachRowOnce() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()
        await suite.stop(.collector)
        let inbox = suite.dataDir.appendingPathComponent("big")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        let mapping = suite.dataDir.appendingPathComponent("big-mapping.json")
        try Data(
            #"{"rules":[{"product_code":"Amazon Elastic Compute Cloud","consumed_unit":"Hours","product":"ecs","unit":"vCPU-h","scale_by":"vcpu"}],"tenants":{"sub-1":"A"},"regions":{"us-east-1":"r1"}}"#
                .utf8
        ).write(to: mapping)
        let sources: [String: Any] = [
            "billing_export": [
                ["name": "big", "folder": inbox.path, "format": "focus", "poll_seconds": 0.1, "commit_rows": 2_000, "mapping": mapping.path]
            ]
        ]
        try await suite.restartCollector(sources: sources)

        let rows = 150_000
        let plain = suite.dataDir.appendingPathComponent("big-2024-01.csv")
        let expected = try Self.writeLargeExport(to: plain, rows: rows)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", "-1", plain.path]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        try FileManager.default.moveItem(
            at: suite.dataDir.appendingPathComponent("big-2024-01.csv.gz"), to: inbox.appendingPathComponent("big-2024-01.csv.gz"))

        // Wait until it is well into the file, as GET /v1/sources shows, then kill the collector.
        var seen: [String: Any] = [:]
        try await suite.waitUntil("the export is being read") {
            seen = (try await suite.sources()["big"]?["progress"] as? [String: Any]) ?? [:]
            return seen["phase"] as? String == "reading" && (int(seen["rows"]) ?? 0) >= 20_000
        }
        #expect(int(seen["parts"]) == 1 && (int(seen["bytes_total"]) ?? 0) > 0 && (int(seen["bytes_done"]) ?? 0) > 0, "\(seen)")
        await suite.stop(.collector, signal: SIGKILL)
        #expect(!FileManager.default.fileExists(atPath: inbox.appendingPathComponent("done/big-2024-01.csv.gz.verdict.json").path))

        try await suite.restartCollector(sources: sources)
        let notePath = inbox.appendingPathComponent("done/big-2024-01.csv.gz.verdict.json")
        try await suite.waitUntil("the export is done after the restart", seconds: 600) { FileManager.default.fileExists(atPath: notePath.path) }
        #expect(suite.log(.collector).contains("billing export resumed"))

        let done = try note(notePath)
        let conversion = try #require(done["conversion"] as? [String: Any])
        #expect(int(conversion["rows"]) == rows && int(conversion["usage_rows"]) == rows, "\(conversion)")
        #expect(int(conversion["usage_records"]) == 24)
        #expect(int((done["verdict"] as? [String: Any])?["accepted"]) == 24, "\(done)")

        // Every row once: A's ecs use in r1 is the file's total, not more.
        try await suite.waitDrained()
        let tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        expectClose(row(tenants, ["tenant": "A", "product": "ecs", "region": "r1"])?["usage"], expected, "A ecs r1 from the large export")

        // Dropped again (another name), it is recognised and not ingested twice.
        try FileManager.default.copyItem(at: inbox.appendingPathComponent("done/big-2024-01.csv.gz"), to: inbox.appendingPathComponent(".again"))
        try FileManager.default.moveItem(at: inbox.appendingPathComponent(".again"), to: inbox.appendingPathComponent("again.csv.gz"))
        let againPath = inbox.appendingPathComponent("done/again.csv.gz.verdict.json")
        try await suite.waitUntil("the copy is in done/") { FileManager.default.fileExists(atPath: againPath.path) }
        #expect(try note(againPath)["already_delivered_as_batch"] as? String == (done["verdict"] as? [String: Any])?["batch"] as? String)
        await suite.stopAll()
    }
}
