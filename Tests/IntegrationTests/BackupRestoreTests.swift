import Foundation
import Testing

/// Online backup of every store, then wipe, then restore: the reports are identical.
@Suite(.serialized) struct BackupRestoreTests {
    @Test func backupWipeRestoreGivesIdenticalReports() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        try await suite.declareFixture()
        try await suite.postExpectingAccepted("/v1/activity", Fixture.usageCSV, "text/csv", accepted: 2)
        try await suite.waitDrained()
        let queries = ["layer=tenant", "layer=product", "layer=site", "group_by=tenant,month&format=csv"]
        var before: [Data] = []
        for query in queries { before.append(try await suite.get(.reporter, "/v1/emissions?\(query)").1) }

        // Upstream first, as scripts/backup does.
        for service in [SuiteProcess.Service.auth, .collector, .preprocessor, .calculator, .reporter] {
            let (status, body) = try await suite.request(service, "/v1/admin/backup?name=b1", method: "POST")
            #expect(status == 200, "\(service.rawValue): \(String(decoding: body, as: UTF8.self))")
        }
        let (again, _) = try await suite.request(.collector, "/v1/admin/backup?name=b1", method: "POST")
        #expect(again == 409)
        let (bad, _) = try await suite.request(.collector, "/v1/admin/backup?name=../../etc", method: "POST")
        #expect(bad == 400)

        await suite.stopAll()
        let files = try FileManager.default.contentsOfDirectory(atPath: suite.dataDir.path).filter { $0.contains(".sqlite") }
        #expect(files.count >= 5)
        for file in files { try FileManager.default.removeItem(at: suite.dataDir.appendingPathComponent(file)) }
        let backups = suite.dataDir.appendingPathComponent("backups/b1")
        for file in try FileManager.default.contentsOfDirectory(atPath: backups.path) {
            try FileManager.default.copyItem(at: backups.appendingPathComponent(file), to: suite.dataDir.appendingPathComponent(file))
        }
        try await suite.start()
        try await suite.waitDrained()
        for (query, earlier) in zip(queries, before) {
            let now = try await suite.get(.reporter, "/v1/emissions?\(query)").1
            #expect(now == earlier, "\(query) differs after restore")
        }
        // And the restored suite keeps working: a revision after the restore applies once.
        try await suite.postExpectingAccepted("/v1/activity", Fixture.usageCSV, "text/csv", accepted: 0)
        await suite.stopAll()
    }
}
