import Foundation
import Testing

/// Every boolean setting works from its environment variable — the on
/// and off words in any case — and anything else stops the service naming the variable.
@Suite(.serialized) struct EnvironmentSwitchTests {
    /// `CM_REQUIRE_AUTH` turns authentication on in each of the five services (each spelled
    /// differently): a request without credentials gets 401 everywhere.
    @Test func requireAuthFromTheEnvironmentInEveryService() async throws {
        let suite = try SuiteProcess()
        suite.environment = [
            .collector: ["CM_REQUIRE_AUTH": "1"], .preprocessor: ["CM_REQUIRE_AUTH": "true"], .calculator: ["CM_REQUIRE_AUTH": "yes"],
            .reporter: ["CM_REQUIRE_AUTH": "ON"], .auth: ["CM_REQUIRE_AUTH": "True"],
        ]
        try await suite.start()
        let (collector, _) = try await suite.post(.collector, "/v1/sites", body: Data(Fixture.sites.utf8), contentType: "application/json")
        #expect(collector == 401)
        #expect(try await suite.get(.preprocessor, "/v1/quarantine").0 == 401)
        #expect(try await suite.get(.calculator, "/v1/factors").0 == 401)
        #expect(try await suite.get(.reporter, "/v1/emissions?layer=tenant").0 == 401)
        #expect(try await suite.request(.auth, "/v1/admin/backup?name=env", method: "POST").0 == 401)
        await suite.stopAll()
    }

    /// The off words, and a `--no-…` flag over an environment that says on, leave routes open.
    @Test func offWordsAndTheNoFlagTurnASwitchOff() async throws {
        let suite = try SuiteProcess(extraArguments: [.calculator: ["--no-require-auth"]])
        suite.environment = [
            .collector: ["CM_REQUIRE_AUTH": "0", "CM_REQUIRE_API_KEY": "off", "CM_INGEST_CURVE": "No"],
            .preprocessor: ["CM_REQUIRE_AUTH": "false"], .calculator: ["CM_REQUIRE_AUTH": "1"], .reporter: ["CM_REQUIRE_AUTH": "OFF"],
        ]
        try await suite.start()
        try await suite.postExpectingAccepted("/v1/sites", Fixture.sites, "application/json", accepted: 2)
        #expect(try await suite.get(.preprocessor, "/v1/quarantine").0 == 200)
        #expect(try await suite.get(.calculator, "/v1/factors").0 == 200)
        #expect(try await suite.get(.reporter, "/v1/emissions?layer=tenant").0 == 200)
        await suite.stopAll()
    }

    /// `CM_REQUIRE_API_KEY=1`: ingest without a key gets 401, with a collector key it is accepted.
    @Test func requireApiKeyFromTheEnvironment() async throws {
        let suite = try SuiteProcess()
        suite.environment = [.collector: ["CM_REQUIRE_API_KEY": "1"]]
        let created = try suite.runAuthCommand(["create-key", "--tenant", "A", "--role", "collector"])
        // The key is the line printed on standard output; auth's log lines (a new signing key) may surround it.
        let key = created.output.split(whereSeparator: \.isNewline).first { $0.hasPrefix("cmk_") }.map(String.init) ?? ""

        #expect(created.status == 0 && key.hasPrefix("cmk_"), "\(created.output)")
        try await suite.start([.auth, .collector])
        let usage = Data(Fixture.usageCSV.utf8)
        let (missing, body) = try await suite.post(.collector, "/v1/activity", body: usage, contentType: "text/csv")
        #expect(missing == 401, "\(String(decoding: body, as: UTF8.self))")
        let (status, _) = try await suite.post(.collector, "/v1/activity", body: usage, contentType: "text/csv", headers: ["Authorization": "Bearer \(key)"])
        #expect(status == 200 || status == 202)
        await suite.stopAll()
    }

    /// `CM_INGEST_CURVE=1` takes effect: without `--curve-dir` the collector says it needs one;
    /// with CURVE keys it starts.
    @Test func ingestCurveFromTheEnvironment() async throws {
        let plain = try SuiteProcess()
        plain.environment = [.collector: ["CM_INGEST_CURVE": "1"]]
        await #expect(throws: (any Error).self) { try await plain.start([.collector]) }
        #expect(plain.log(.collector).contains("--ingest-curve needs --curve-dir"), "\(plain.log(.collector).suffix(1000))")
        await plain.stopAll()

        let curved = try SuiteProcess(curve: true)
        curved.environment = [.collector: ["CM_INGEST_CURVE": "yes"]]
        try await curved.start([.collector])
        #expect(curved.terminationStatus(.collector) == nil)
        await curved.stopAll()
    }

    /// A word that is neither on nor off stops the service, naming the variable — for every
    /// switch, never read as off.
    @Test(arguments: [
        (SuiteProcess.Service.collector, "CM_REQUIRE_API_KEY"), (.collector, "CM_REQUIRE_AUTH"), (.collector, "CM_INGEST_CURVE"),
        (.preprocessor, "CM_REQUIRE_AUTH"), (.calculator, "CM_REQUIRE_AUTH"), (.reporter, "CM_REQUIRE_AUTH"), (.auth, "CM_REQUIRE_AUTH"),
        (.reporter, "CM_INSECURE_OPEN"),
    ])
    func anyOtherWordStopsTheServiceNamingTheVariable(_ service: SuiteProcess.Service, _ variable: String) async throws {
        let suite = try SuiteProcess()
        suite.environment = [service: [variable: "maybe"]]
        await #expect(throws: (any Error).self) { try await suite.start([service]) }
        let code = suite.terminationStatus(service)
        #expect(code != nil && code != 0, "\(service.rawValue) exit status \(String(describing: code))")
        #expect(suite.log(service).contains("\(variable)=\"maybe\" is not a switch"), "\(suite.log(service).suffix(1000))")
        await suite.stopAll()
    }

    /// A numeric variable that is not a whole number stops the service naming it, instead of
    /// quietly meaning the default.
    @Test(arguments: [(SuiteProcess.Service.auth, "CM_TOKEN_TTL_SECONDS"), (.collector, "CM_MAX_BACKLOG"), (.calculator, "CM_SETTLE_MS")])
    func aNumberThatIsNotOneStopsTheServiceNamingTheVariable(_ service: SuiteProcess.Service, _ variable: String) async throws {
        let suite = try SuiteProcess()
        suite.environment = [service: [variable: "15m"]]
        await #expect(throws: (any Error).self) { try await suite.start([service]) }
        let code = suite.terminationStatus(service)
        #expect(code != nil && code != 0, "\(service.rawValue) exit status \(String(describing: code))")
        #expect(suite.log(service).contains("\(variable)=\"15m\" is not a whole number"), "\(suite.log(service).suffix(1000))")
        await suite.stopAll()
    }
}
