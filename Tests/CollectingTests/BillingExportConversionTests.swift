import CarbonModel
import RecordParsing
import Contracts
import Collecting
import Foundation
import Testing

/// The sample exports under Tests/Samples/billing, converted with their mappings; the expected
/// records are worked out by hand from the rows (line numbers are the files' own).
struct BillingExportConversionTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples/billing")

    func sample(_ name: String) throws -> Data { try Data(contentsOf: Self.samples.appendingPathComponent(name)) }
    func mapping(_ name: String) throws -> BillingMapping { try JSONDecoder().decode(BillingMapping.self, from: sample(name)) }

    /// The converted body's lines by line number: records as objects, failures as `$framing_error` text.
    func lines(_ conversion: BillingConversion) throws -> [Int: [String: Any]] {
        var lines: [Int: [String: Any]] = [:]
        for (index, line) in conversion.body.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            lines[index + 1] = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        }
        return lines
    }

    @Test func awsCostAndUsageReportBecomesUsageRecordsOnTheirOwnLines() throws {
        let conversion = try BillingExportConversion.convert(
            try sample("aws-cur-2024-01.csv"), format: .awsCUR, mapping: try mapping("aws-mapping.json"), source: "aws-cur")
        let lines = try lines(conversion)

        // Line 2: 1 h of m5.large (2 vCPU), tagged tenant A → 2 vCPU-h of ecs in r1.
        let first = try #require(lines[2])
        #expect(first["kind"] as? String == "usage")
        #expect(first["tenant"] as? String == "A")
        #expect(first["product"] as? String == "ecs")
        #expect(first["region"] as? String == "r1")
        #expect(first["value"] as? Double == 2)
        #expect(first["unit"] as? String == "vCPU-h")
        #expect(first["start"] as? String == "2024-01-10T00:00:00Z")
        #expect(first["end"] as? String == "2024-01-10T01:00:00Z")
        #expect(first["resource"] as? String == "i-0a1b2c3d4e5f60001")
        let tags = try #require(first["tags"] as? [String: String])
        #expect(tags["vcpu"] == "2")
        #expect(tags["memory_gib"] == "8")
        #expect(tags["instance_type"] == "m5.large")
        #expect(tags["usage_type"] == "BoxUsage:m5.large")
        #expect(tags["account"] == "111122223333")

        // Line 3: untagged, account 222233334444 → B; 24 h × 4 vCPU = 96 vCPU-h (DiscountedUsage is usage).
        #expect(lines[3]?["tenant"] as? String == "B")
        #expect(lines[3]?["value"] as? Double == 96)
        // Line 5: 0.1 GB-Mo × 730 = 73 GB-h of oss for A.
        #expect(lines[5]?["product"] as? String == "oss")
        #expect((lines[5]?["value"] as? Double).map { abs($0 - 73) < 1e-9 } == true)
        // Line 11: us-east-2 is not mapped, so it goes on as it is (the preprocessor will reject the region).
        #expect(lines[11]?["region"] as? String == "us-east-2")

        // Malformed rows are failures naming their line and column; the raw row is kept.
        #expect((lines[7]?["$framing_error"] as? String) == #"line 7: lineItem/UsageAmount "abc" is not a number"#)
        #expect((lines[7]?["$raw"] as? String)?.contains("i-0a1b2c3d4e5f60001") == true)
        #expect((lines[8]?["$framing_error"] as? String) == #"line 8: lineItem/UsageStartDate "2024-13-45T02:00:00Z" is not a time"#)
        #expect((lines[9]?["$framing_error"] as? String)?.hasPrefix("line 9: expected 20 fields, found 9") == true, "\(lines[9] ?? [:])")
        #expect((lines[10]?["$framing_error"] as? String)?.hasPrefix(#"line 10: no tenant: neither the tenant tag nor account "999988887777""#) == true)

        // Tax, credit and the unmapped CloudTrail line are left out and counted.
        #expect(lines[4] == nil && lines[6] == nil && lines[12] == nil)
        #expect(conversion.records == 8)
        #expect(conversion.summary.rows == 11)
        #expect(conversion.summary.usageRecords == 4)
        #expect(conversion.summary.rejectedRows == 4)
        #expect(conversion.summary.notUsage == ["Tax": 1, "Credit": 1])
        #expect(conversion.summary.unmapped == ["AWSCloudTrail": 1])
    }

    @Test func theConvertedBodyFramesWithTheExportsLineNumbers() throws {
        let conversion = try BillingExportConversion.convert(
            try sample("aws-cur-2024-01.csv"), format: .awsCUR, mapping: try mapping("aws-mapping.json"), source: "aws-cur")
        let records = try BatchFraming.records(in: conversion.body, format: .ndjson)
        #expect(records.map(\.position) == [2, 3, 5, 7, 8, 9, 10, 11])
        #expect(records.allSatisfy { $0.framingError == nil })
        #expect(records.filter { IngestBatch.framingFailure(in: $0.json) != nil }.map(\.position) == [7, 8, 9, 10])
    }

    @Test func sameExportConvertsToTheSameBytesAndDistinctIds() throws {
        let body = try sample("aws-cur-2024-01.csv")
        let awsMapping = try mapping("aws-mapping.json")
        let once = try BillingExportConversion.convert(body, format: .awsCUR, mapping: awsMapping, source: "aws-cur")
        let twice = try BillingExportConversion.convert(body, format: .awsCUR, mapping: awsMapping, source: "aws-cur")
        #expect(once.body == twice.body)
        let ids = try lines(once).values.compactMap { $0["id"] as? String }
        #expect(Set(ids).count == ids.count && ids.count == 4)
    }

    @Test func unmappedUsageIsRejectedWhenTheMappingSaysSo() throws {
        var strict = try mapping("aws-mapping.json")
        strict.unmapped = .reject
        let conversion = try BillingExportConversion.convert(try sample("aws-cur-2024-01.csv"), format: .awsCUR, mapping: strict, source: "aws-cur")
        #expect((try lines(conversion)[6]?["$framing_error"] as? String) == #"line 6: no mapping rule for product code "AWSCloudTrail""#)
        #expect(conversion.summary.unmapped.isEmpty)
    }

    @Test func googleCloudBigQueryExportBecomesUsageRecords() throws {
        let conversion = try BillingExportConversion.convert(
            try sample("gcp-billing-2024-01.csv"), format: .gcpBigQuery, mapping: try mapping("gcp-mapping.json"), source: "gcp")
        let lines = try lines(conversion)
        // Line 2: 7200 core-seconds labelled tenant A in europe-west1 → 7200 vCPU-s of ecs in r1.
        #expect(lines[2]?["tenant"] as? String == "A")
        #expect(lines[2]?["value"] as? Double == 7200)
        #expect(lines[2]?["unit"] as? String == "vCPU-s")
        #expect(lines[2]?["region"] as? String == "r1")
        #expect(lines[2]?["start"] as? String == "2024-01-12T00:00:00Z")
        #expect((lines[2]?["tags"] as? [String: String])?["provider_unit"] == "seconds")
        // Line 4: 3.6e12 byte-seconds × 1e-9 = 3600 GB-s of oss, project proj-b → B.
        #expect(lines[4]?["tenant"] as? String == "B")
        #expect((lines[4]?["value"] as? Double).map { abs($0 - 3600) < 1e-6 } == true)
        // RAM (line 3) has no rule; tax (line 5) is not usage.
        #expect(lines[3] == nil && lines[5] == nil)
        #expect((lines[6]?["$framing_error"] as? String) == "line 6: usage.amount is empty")
        #expect((lines[7]?["$framing_error"] as? String) == #"line 7: usage_start_time "yesterday" is not a time"#)
        #expect(conversion.summary.notUsage == ["tax": 1])
        #expect(conversion.summary.unmapped == ["Compute Engine": 1])
        #expect(conversion.summary.usageRecords == 2)
        #expect(conversion.summary.rejectedRows == 2)
    }

    /// A GCP row whose `labels` cell is not the JSON array is rejected naming the cell: read as
    /// no labels, its usage would go to the project's tenant (or the default) instead of the
    /// labelled one without a word.
    @Test func unreadableGCPLabelsRejectTheRowInsteadOfLosingTheTenantLabel() throws {
        let header = "service.description,sku.description,usage_start_time,usage_end_time,project.id,labels,location.region,usage.amount,cost_type"
        let rows = [
            header,
            #"Compute Engine,N1 Predefined Instance Core,2024-01-12 00:00:00 UTC,2024-01-12 01:00:00 UTC,proj-b,"{""tenant"":""A""}",europe-west1,7200,regular"#,
            #"Compute Engine,N1 Predefined Instance Core,2024-01-12 00:00:00 UTC,2024-01-12 01:00:00 UTC,proj-b,"[{""key"":""tenant"",""value"":1}]",europe-west1,7200,regular"#,
            #"Compute Engine,N1 Predefined Instance Core,2024-01-12 00:00:00 UTC,2024-01-12 01:00:00 UTC,proj-b,"[{""key"":""tenant"",""value"":""A""}]",europe-west1,7200,regular"#,
        ]
        let conversion = try BillingExportConversion.convert(
            Data((rows.joined(separator: "\n") + "\n").utf8), format: .gcpBigQuery, mapping: try mapping("gcp-mapping.json"), source: "gcp")
        let lines = try lines(conversion)
        #expect((lines[2]?["$framing_error"] as? String)?.hasPrefix(#"line 2: labels "{"tenant":"A"}" is not a JSON array"#) == true, "\(lines[2] ?? [:])")
        #expect((lines[3]?["$framing_error"] as? String)?.hasPrefix("line 3: labels ") == true, "\(lines[3] ?? [:])")
        #expect(lines[4]?["tenant"] as? String == "A")
        #expect(conversion.summary.rejectedRows == 2)
        #expect(conversion.summary.usageRecords == 1)
    }

    /// `Double` reads "nan": a vCPU count of NaN rejects the row instead of making a NaN value.
    @Test func aVCPUCountThatIsNotFiniteRejectsTheRow() throws {
        let csv = try String(decoding: sample("aws-cur-2024-01.csv"), as: UTF8.self)
        var rows = csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let columns = rows[0].split(separator: ",").map(String.init)
        let vcpu = try #require(columns.firstIndex(of: "product/vcpu"))
        var cells = rows[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        cells[vcpu] = "nan"
        rows[1] = cells.joined(separator: ",")
        let conversion = try BillingExportConversion.convert(
            Data(rows.joined(separator: "\n").utf8), format: .awsCUR, mapping: try mapping("aws-mapping.json"), source: "aws-cur")
        #expect((try lines(conversion)[2]?["$framing_error"] as? String) == #"line 2: product/vcpu "nan" is not a number of vCPUs"#)
    }

    /// A value that is not finite travels as a string, which validation rejects naming it,
    /// instead of the whole record becoming an empty object.
    @Test func aNonFiniteValueIsWrittenSoThatItIsRejectedByName() throws {
        let line = ActivityLine(source: "s", id: "1", kind: "usage", start: "a", end: "b", value: .nan, unit: "kWh")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.json().utf8)) as? [String: Any])
        #expect(object["value"] as? String == "NaN")
        #expect(object["id"] as? String == "1")
        let infinite = ActivityLine(source: "s", id: "2", kind: "usage", start: "a", end: "b", value: .infinity, unit: "kWh")
        #expect(infinite.json().contains(#""value":"Infinity""#))
    }

    @Test func aFileThatIsNotCSVAtAllIsRefusedAsAWhole() {
        #expect(throws: BatchFramingError.self) {
            try BillingExportConversion.convert(Data(), format: .awsCUR, mapping: BillingMapping(rules: []), source: "aws")
        }
    }

    @Test func globPatternsMatchWithAndWithoutRegionPrefixes() {
        let box = GlobPattern("*BoxUsage*")
        #expect(box.matches("BoxUsage:m5.large"))
        #expect(box.matches("USE2-BoxUsage:c5.large"))
        #expect(!box.matches("USE2-EBS:VolumeUsage.gp3"))
        #expect(GlobPattern("Standard Storage*").matches("Standard Storage Belgium"))
        #expect(!GlobPattern("Standard Storage*").matches("Nearline Storage Belgium"))
        #expect(GlobPattern("AmazonEC2").matches("AmazonEC2"))
        #expect(!GlobPattern("AmazonEC2").matches("AmazonEC2x"))
        #expect(GlobPattern("a*b*c").matches("abc") && GlobPattern("a*b*c").matches("axxbyyc") && !GlobPattern("a*b*c").matches("acb"))
    }
}
