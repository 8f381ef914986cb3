import Foundation
import Testing

/// With API keys required, the collector asks the auth service over ZeroMQ who holds a key.
@Suite(.serialized) struct APIKeyTests {
    func runAuth(_ suite: SuiteProcess, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = suite.binDir.appendingPathComponent("auth")
        process.arguments = arguments + ["--data-dir", suite.dataDir.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else { throw SuiteError("auth \(arguments) failed: \(output)") }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func ingestNeedsAValidUnrevokedKeyWithAWritingRole() async throws {
        let suite = try SuiteProcess(extraArguments: [.collector: ["--require-api-key"]])
        let writer = try runAuth(suite, ["create-key", "--tenant", "A", "--role", "collector"])
        let reader = try runAuth(suite, ["create-key", "--tenant", "A", "--role", "analyst"])
        #expect(writer.hasPrefix("cmk_"))
        try await suite.start()

        let body = Data(Fixture.sites.utf8)
        let (missing, missingBody) = try await suite.post(.collector, "/v1/sites", body: body, contentType: "application/json")
        #expect(missing == 401)
        #expect(String(decoding: missingBody, as: UTF8.self).contains("API key"))
        let (wrong, _) = try await suite.post(
            .collector, "/v1/sites", body: body, contentType: "application/json", headers: ["Authorization": "Bearer cmk_nope_nope"])
        #expect(wrong == 401)
        let (forbidden, _) = try await suite.post(
            .collector, "/v1/sites", body: body, contentType: "application/json", headers: ["Authorization": "Bearer \(reader)"])
        #expect(forbidden == 403)
        let (ok, okBody) = try await suite.post(
            .collector, "/v1/sites", body: body, contentType: "application/json", headers: ["Authorization": "Bearer \(writer)"])
        #expect(ok == 200, "\(String(decoding: okBody, as: UTF8.self))")

        let keyID = String(writer.split(separator: "_")[1])
        _ = try runAuth(suite, ["revoke-key", keyID])
        let (revoked, _) = try await suite.post(
            .collector, "/v1/sites", body: body, contentType: "application/json", headers: ["Authorization": "Bearer \(writer)"])
        #expect(revoked == 401)
        // The key is never written to any log.
        for service in SuiteProcess.Service.allCases { #expect(!suite.log(service).contains(writer)) }
        await suite.stopAll()
    }
}
