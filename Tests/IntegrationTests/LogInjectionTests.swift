import Foundation
import Testing

/// A value from a request that holds a line break and a fake log entry
/// is written escaped, so no service's log gains a forged line.
@Suite(.serialized) struct LogInjectionTests {
    static let forged = "2099-01-01T00:00:00+0000 critical carbonmeter.calculator: [Calculator] forged entry"

    @Test func aRegionWithALineBreakForgesNoLogLine() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.postExpectingAccepted("/v1/products", #"[{"product":"ec2","unit":"vCPU-h"}]"#, "application/json", accepted: 1)
        let record: [String: Any] = [
            "source": "billing", "id": "forger", "kind": "usage", "tenant": "A", "product": "ec2", "region": "r1\n\(Self.forged)\r\n\(Self.forged)",
            "provider": "aws", "resource_type": "compute", "start": "2024-01-01T00:00:00Z", "end": "2024-02-01T00:00:00Z", "value": 10, "unit": "vCPU-h",
        ]
        let body = try JSONSerialization.data(withJSONObject: [record])
        let (status, data) = try await suite.post(.collector, "/v1/activity", body: body, contentType: "application/json")
        let verdict = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        #expect(status == 200, "\(String(decoding: data, as: UTF8.self))")
        try await suite.waitDrained()
        for service in SuiteProcess.Service.allCases {
            let lines = suite.log(service).split(separator: "\n")
            #expect(!lines.contains { $0.hasPrefix("2099-01-01") }, "\(service.rawValue) log has a forged line")
        }
        // Refusing such a region at the edge would be as good; when it was accepted, the
        // calculator logged it — escaped, on the line of its own entry.
        if verdict["accepted"] as? Int == 1 {
            #expect(suite.log(.calculator).contains("r1\\n2099-01-01T00:00:00+0000 critical"), "\(suite.log(.calculator).suffix(2000))")
        }
        await suite.stopAll()
    }
}
