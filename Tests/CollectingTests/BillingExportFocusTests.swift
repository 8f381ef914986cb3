import CarbonModel
import Collecting
import Foundation
import RecordParsing
import Testing

/// FOCUS exports in four providers' habits (Tests/Samples/billing/focus, written from the FOCUS
/// 1.0–1.2 column definitions), and the AWS Data Exports CUR 2.0 sample, converted with their
/// mappings. Expected records are worked out by hand from the rows; line numbers are the files' own.
struct BillingExportFocusTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples/billing")

    func sample(_ name: String) throws -> Data { try Data(contentsOf: Self.samples.appendingPathComponent(name)) }
    func mapping(_ name: String) throws -> BillingMapping { try JSONDecoder().decode(BillingMapping.self, from: sample(name)) }

    func convert(_ name: String, format: BillingExportFormat = .focus, mapping: String = "focus/focus-mapping.json") throws
        -> (lines: [Int: [String: Any]], summary: BillingConversionSummary)
    {
        let conversion = try BillingExportConversion.convert(try sample(name), format: format, mapping: try self.mapping(mapping), source: "bills")
        var lines: [Int: [String: Any]] = [:]
        for (index, line) in conversion.body.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            lines[index + 1] = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        }
        return (lines, conversion.summary)
    }

    func failure(_ line: [String: Any]?) -> String? { line?["$framing_error"] as? String }
    func tags(_ line: [String: Any]?) -> [String: String] { line?["tags"] as? [String: String] ?? [:] }
    func value(_ line: [String: Any]?) -> Double { (line?["value"] as? NSNumber)?.doubleValue ?? .nan }

    @Test func awsFocusRowsAreSummedPerAccountServiceRegionAndHour() throws {
        let (lines, summary) = try convert("focus/focus-aws-2024-01.csv")
        // Lines 2 and 4: two m5.large hours of tenant A (2 cores each) in one record: 4 vCPU-h.
        let first = try #require(lines[2])
        #expect(first["tenant"] as? String == "A")
        #expect(first["product"] as? String == "ecs")
        #expect(first["region"] as? String == "r1")
        #expect(first["unit"] as? String == "vCPU-h")
        #expect(value(first) == 4)
        #expect(first["start"] as? String == "2024-01-10T00:00:00Z" && first["end"] as? String == "2024-01-10T01:00:00Z")
        #expect(first["provider"] as? String == "aws" && first["resource_type"] as? String == "compute")
        #expect(first["resource"] == nil, "a summed record names no single resource")
        let details = tags(first)
        #expect(details["provider_product"] == "Amazon Elastic Compute Cloud")
        #expect(details["provider_region"] == "us-east-1")
        #expect(details["provider_unit"] == "Hours", "Hrs is spelled Hours")
        #expect(details["account"] == "999900001111" && details["sub_account"] == "111122223333")
        #expect(details["service_category"] == "Compute" && details["instance_series"] == "m5" && details["provider_name"] == "AWS")
        #expect(details["project"] == "checkout")
        #expect(lines[4] == nil)
        // Line 3: member account 222233334444 → B; 24 h × 4 cores.
        #expect(lines[3]?["tenant"] as? String == "B" && value(lines[3]) == 96)
        // Line 6: 0.1 GB-Mo of S3 = 73 GB-h; the formula in the project tag is kept as text.
        #expect(lines[6]?["product"] as? String == "oss")
        #expect(abs(value(lines[6]) - 73) < 1e-9)
        #expect(tags(lines[6])["project"]?.hasPrefix("=HYPERLINK(") == true)
        #expect(lines[6]?["resource_type"] as? String == "hdd")
        // Line 7: us-west-2 is not mapped: the provider region goes on (estimation mode will take it).
        #expect(lines[7]?["region"] as? String == "us-west-2" && value(lines[7]) == 20)

        #expect(failure(lines[10])?.hasPrefix("line 10: expected 33 fields, found 8") == true, "\(lines[10] ?? [:])")
        #expect(
            failure(lines[11])
                == #"line 11: no tenant: neither the tenant tag nor sub account "999988887777" nor account "999900001111" is mapped, and no default_tenant"#)
        #expect(failure(lines[12]) == #"line 12: ConsumedQuantity "-1" is not a quantity of use (it is negative)"#)
        #expect(failure(lines[13]) == #"line 13: ConsumedQuantity "NaN" is not a number"#)
        #expect((lines[11]?["$raw"] as? String)?.contains("999988887777") == true)

        #expect(lines[5] == nil && lines[8] == nil && lines[9] == nil && lines[14] == nil)
        #expect(summary.rows == 13 && summary.usageRows == 5 && summary.usageRecords == 4 && summary.rejectedRows == 4)
        #expect(summary.notUsage == ["Tax": 1, "Credit": 1, "Usage (Correction)": 1])
        #expect(summary.unmapped == ["AWS CloudTrail": 1])
        #expect(summary.unmappedLines == ["AWS CloudTrail": ["line 9"]])
    }

    @Test func azureFocusWithBlocksCRLFAndAByteOrderMark() throws {
        let (lines, summary) = try convert("focus/focus-azure-2024-01.csv")
        // Line 2 (its description spans two lines): subscription B, 24 h × 4 cores.
        #expect(lines[2]?["tenant"] as? String == "B" && value(lines[2]) == 96)
        #expect(tags(lines[2])["sub_account"] == "/subscriptions/00000000-0000-0000-0000-00000000000b")
        #expect(lines[2]?["provider"] as? String == "azure")
        // Line 4: only PricingQuantity 0.1 of "10 Hours": 1 h × 4 cores.
        #expect(value(lines[4]) == 4)
        // Line 6: 30 "GB/Month" of disk → 21 900 GB-h, tenant by tag.
        #expect(lines[6]?["tenant"] as? String == "B" && abs(value(lines[6]) - 21_900) < 1e-6)
        #expect(tags(lines[6])["provider_unit"] == "GB-Months")
        #expect(failure(lines[7])?.contains(#"sub account "/subscriptions/00000000-0000-0000-0000-0000000000ff""#) == true)
        #expect(failure(lines[8]) == #"line 8: Tags "tenant=A;environment=prod" is not a JSON object"#)
        #expect(summary.notUsage == ["Usage (unused commitment)": 1])
        #expect(summary.usageRecords == 3 && summary.rejectedRows == 2)
    }

    @Test func googleCloudFocusWithMetersLowerCaseUnitsAndPricingOnlyRows() throws {
        let (lines, summary) = try convert("focus/focus-gcp-2024-01.csv")
        // Lines 2 and 5 (ConsumedQuantity 2, and a row with PricingQuantity 3 only): 5 vCPU-h of proj-a → A.
        #expect(lines[2]?["tenant"] as? String == "A" && value(lines[2]) == 5)
        #expect(lines[2]?["provider"] as? String == "gcp")
        #expect(lines[5] == nil)
        // Line 4: 1 gibibyte month = 730 GiB-h = 783.83 GB-h, labelled tenant B.
        #expect(lines[4]?["tenant"] as? String == "B")
        #expect(abs(value(lines[4]) - 730 * 1.073741824) < 1e-6)
        #expect(failure(lines[8]) == #"line 8: ChargePeriodStart "yesterday" is not a time"#)
        // The RAM meter and the service named like a formula have no rule: counted and listed.
        #expect(summary.unmapped == ["Compute Engine": 1, "=cmd|' /C calc'!A0": 1])
        #expect(summary.unmappedLines["=cmd|' /C calc'!A0"] == ["line 7"])
        #expect(summary.notUsage == ["Tax": 1])
    }

    @Test func oracleFocusWithOCPUHoursAndNoRegion() throws {
        let (lines, summary) = try convert("focus/focus-oracle-2024-01.csv")
        // 10 OCPU hours × multiply_by 2 = 20 vCPU-h; Oracle is no provider estimation knows.
        #expect(lines[2]?["tenant"] as? String == "A" && value(lines[2]) == 20)
        #expect(lines[2]?["provider"] == nil && lines[2]?["resource_type"] == nil)
        #expect(summary.unknownProviders == ["Oracle": 2])
        // Block volume from the pricing columns: 50 GB-Months = 36 500 GB-h.
        #expect(abs(value(lines[3]) - 36_500) < 1e-6)
        #expect(failure(lines[4]) == "line 4: RegionId is empty")
        #expect(value(lines[5]) == 2)
    }

    @Test func aDefaultRegionTakesRowsWithoutOne() throws {
        var withDefault = try mapping("focus/focus-mapping.json")
        withDefault.defaultRegion = "r1"
        let conversion = try BillingExportConversion.convert(
            try sample("focus/focus-oracle-2024-01.csv"), format: .focus, mapping: withDefault, source: "bills")
        #expect(conversion.summary.rejectedRows == 0)
    }

    @Test func awsDataExportsCUR2ReadsLikeTheLegacyReportWithTheSameMapping() throws {
        let (cur2, summary) = try convert("aws-cur2-2024-01.csv", format: .awsCUR2, mapping: "aws-mapping.json")
        let legacy = try BillingExportConversion.convert(
            try sample("aws-cur-2024-01.csv"), format: .awsCUR, mapping: try mapping("aws-mapping.json"), source: "bills")
        #expect(summary.rows == legacy.summary.rows && summary.usageRecords == legacy.summary.usageRecords)
        #expect(summary.notUsage == legacy.summary.notUsage && summary.unmapped == legacy.summary.unmapped)
        #expect(cur2[2]?["tenant"] as? String == "A" && value(cur2[2]) == 2)
        // The same line item has the same id as in the legacy report: moving to CUR 2.0 revises, never doubles.
        let legacyFirst = try #require(try JSONSerialization.jsonObject(with: Data(legacy.body.split(separator: 0x0A)[0])) as? [String: Any])
        #expect(cur2[2]?["id"] as? String == "111122223333|AmazonEC2|BoxUsage:m5.large|RunInstances|i-0a1b2c3d4e5f60001|Usage|2024-01-10T00:00:00Z|2024-01-10T01:00:00Z")
        #expect(cur2[2]?["id"] as? String == legacyFirst["id"] as? String)
        #expect(tags(cur2[2])["vcpu"] == "2" && tags(cur2[2])["memory_gib"] == "8" && tags(cur2[2])["instance_series"] == "m5")
        #expect(cur2[3]?["tenant"] as? String == "B" && value(cur2[3]) == 96)
        #expect(abs(value(cur2[5]) - 73) < 1e-9)
        #expect(failure(cur2[7]) == #"line 7: line_item_usage_amount "abc" is not a number"#)
        #expect(failure(cur2[8]) == #"line 8: line_item_usage_start_date "2024-13-45T02:00:00.000Z" is not a time"#)
        #expect(failure(cur2[9])?.hasPrefix("line 9: expected 21 fields, found 9") == true)
        #expect(failure(cur2[10])?.hasPrefix(#"line 10: no tenant"#) == true)
        #expect(cur2[11]?["region"] as? String == "us-east-2")
    }

    @Test func aHeaderWithoutTheFormatsColumnsIsRefusedAsAWhole() throws {
        let error = #expect(throws: BatchFramingError.self) {
            try BillingExportConversion.convert(
                try sample("aws-cur-2024-01.csv"), format: .focus, mapping: try mapping("focus/focus-mapping.json"), source: "bills")
        }
        #expect(error?.message.contains("not a focus export") == true)
        #expect(throws: BatchFramingError.self) {
            try BillingExportConversion.convert(Data("ServiceName,ServiceName\n".utf8), format: .focus, mapping: BillingMapping(rules: []), source: "b")
        }
    }

    @Test func aUnitThatDoesNotConvertIsRejectedNamingWhatToGive() throws {
        let header = "BillingAccountId,ServiceName,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ConsumedQuantity,ConsumedUnit,RegionId"
        let body = header + "\n1,Svc,Usage,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,5,Requests,r1\n"
        let mapping = BillingMapping(rules: [.init(productCode: "Svc", product: "ecs", unit: "vCPU-h")], defaultTenant: "A")
        let conversion = try BillingExportConversion.convert(Data(body.utf8), format: .focus, mapping: mapping, source: "b")
        let text = String(decoding: conversion.body, as: UTF8.self)
        #expect(text.contains(#"line 2: ConsumedUnit \"Requests\" does not convert to vCPU-h"#), "\(text)")
    }

    @Test func providerUnitSpellings() {
        #expect(ProviderUnit("Hrs").canonical == "Hours" && ProviderUnit("hour").canonical == "Hours")
        #expect(ProviderUnit("10 Hours").block == 10 && ProviderUnit("10 Hours").factor(to: "h") == 10)
        #expect(ProviderUnit("GB-Mo").canonical == "GB-Months" && ProviderUnit("GB-Mo").factor(to: "GB-h") == 730)
        #expect(ProviderUnit("GiB Hours").factor(to: "GB-h") == 1.073741824)
        #expect(ProviderUnit("GB/Month").canonical == "GB-Months")
        #expect(ProviderUnit("vCPU-Hours").factor(to: "vCPU-h") == 1)
        #expect(ProviderUnit("Seconds").factor(to: "h") == 1.0 / 3600)
        #expect(ProviderUnit("Gb").factor(to: "GB") == 0.125, "Gb is a gigabit")
        #expect(ProviderUnit("1000 Requests").block == 1000 && ProviderUnit("1000 Requests").equivalent == nil)
        #expect(ProviderUnit("Hours").factor(to: "GB-h") == nil)
    }
}
