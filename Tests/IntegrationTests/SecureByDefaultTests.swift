import Foundation
import Testing

/// A service listening anywhere but the loopback refuses to start
/// without `--require-auth` (and CURVE for ZeroMQ), naming what is open and what is missing,
/// unless started with `--insecure-open`, which it logs as a warning.
@Suite(.serialized) struct SecureByDefaultTests {
    /// Each of the five services refuses `--http-host 0.0.0.0` without `--require-auth`.
    @Test(arguments: SuiteProcess.Service.allCases)
    func httpOnEveryAddressWithoutAuthIsRefused(_ service: SuiteProcess.Service) async throws {
        let suite = try SuiteProcess(extraArguments: [service: ["--http-host", "0.0.0.0"]])
        await #expect(throws: (any Error).self) { try await suite.start([service]) }
        let code = suite.terminationStatus(service)
        #expect(code != nil && code != 0, "\(service.rawValue) exit status \(String(describing: code))")
        let log = suite.log(service)
        #expect(log.contains("\(service.rawValue) refuses to start: HTTP (--http-host) listens on 0.0.0.0, not the loopback, without --require-auth"), "\(log.suffix(1500))")
        #expect(log.contains("--insecure-open"))
        await suite.stopAll()
    }

    /// ZeroMQ off the loopback needs CURVE as well as authentication; the collector's ingest
    /// endpoint needs `--ingest-curve`.
    @Test func zeroMQOffTheLoopbackNeedsCurve() async throws {
        let suite = try SuiteProcess(extraArguments: [.collector: ["--bind-host", "0.0.0.0", "--require-auth"]])
        await #expect(throws: (any Error).self) { try await suite.start([.collector]) }
        let log = suite.log(.collector)
        #expect(log.contains("ZeroMQ endpoints (--bind-host) listens on 0.0.0.0, not the loopback, without CURVE: --curve-dir"), "\(log.suffix(1500))")
        #expect(log.contains("ZeroMQ ingest (--bind-host) listens on 0.0.0.0, not the loopback, without CURVE on ingest: --ingest-curve"))
        #expect(!log.contains("without --require-auth"))
        await suite.stopAll()
    }

    /// Authentication and CURVE on every listener: it starts, with no warning.
    @Test func protectedOffTheLoopbackStarts() async throws {
        let open = ["--http-host", "0.0.0.0", "--bind-host", "0.0.0.0", "--require-auth"]
        let suite = try SuiteProcess(extraArguments: [.collector: open + ["--ingest-curve"]], curve: true)
        try await suite.start([.collector])
        #expect(!suite.log(.collector).contains("insecure"))
        await suite.stopAll()
    }

    /// `--insecure-open` (or CM_INSECURE_OPEN=1) starts it open, and says so at every start.
    @Test func insecureOpenStartsAndWarnsAtEveryStart() async throws {
        let suite = try SuiteProcess(extraArguments: [.reporter: ["--http-host", "0.0.0.0", "--insecure-open"]])
        suite.environment = [.collector: ["CM_INSECURE_OPEN": "1", "CM_HTTP_HOST": "0.0.0.0"]]
        try await suite.start([.collector, .reporter])
        for service in [SuiteProcess.Service.collector, .reporter] {
            let log = suite.log(service)
            #expect(log.contains("warning"), "\(log.suffix(1500))")
            #expect(log.contains("started with --insecure-open: anyone who reaches these addresses can read and write without credentials"))
            #expect(log.contains("HTTP (--http-host) listens on 0.0.0.0, not the loopback, without --require-auth"))
        }
        #expect(try await suite.get(.reporter, "/v1/emissions?layer=tenant").0 == 200)
        await suite.stop(.reporter)
        try await suite.relaunch(replica: "reporter")
        let warnings = suite.log(.reporter).components(separatedBy: "started with --insecure-open").count - 1
        #expect(warnings == 2, "one warning per start")
        await suite.stopAll()
    }

    /// The first admin's password from a file (compose and Kubernetes deliver it as a secret):
    /// auth logs in with it and writes no generated secret of its own; a short one stops auth.
    @Test func bootstrapPasswordFromASecretFile() async throws {
        let suite = try SuiteProcess()
        let file = suite.dataDir.appendingPathComponent("operator.password")
        try Data("short\n".utf8).write(to: file)
        suite.environment = [.auth: ["CM_BOOTSTRAP_PASSWORD_FILE": file.path]]
        await #expect(throws: (any Error).self) { try await suite.start([.auth]) }
        #expect(suite.log(.auth).contains("the bootstrap password in \(file.path) must have at least 12 characters"), "\(suite.log(.auth).suffix(1000))")

        try Data("an operator's passphrase\nignored second line\n".utf8).write(to: file)
        try await suite.start([.auth])
        #expect(try await suite.login("admin", "an operator's passphrase").status == 200)
        #expect(!FileManager.default.fileExists(atPath: suite.bootstrapSecretFile.path))
        await suite.stopAll()
    }
}
