@testable import ServiceKit
import Testing

/// A numeric environment variable that is not a number stops the service naming it, instead of
/// quietly meaning the default.
struct EnvNumberTests {
    @Test func wholeNumbersAreReadAndAnythingElseIsReportedByName() throws {
        #expect(Env.int("CM_TEST_PORT", 7, environment: ["CM_TEST_PORT": "8088"]) == 8088)
        #expect(Env.int("CM_TEST_PORT", 7, environment: ["CM_TEST_PORT": " 42 "]) == 42)
        #expect(Env.int("CM_TEST_PORT", 7, environment: [:]) == 7)
        #expect(Env.int("CM_TEST_PORT", 7, environment: ["CM_TEST_PORT": ""]) == 7)
        #expect(Env.int("CM_TEST_TTL", 900, environment: ["CM_TEST_TTL": "15m"]) == 900)
        #expect(throws: EnvNumberError(variable: "CM_TEST_TTL", value: "15m")) { try Env.checkNumbers(environment: ["CM_TEST_TTL": "15m"]) }
        // Decimal flags: a number reads, anything else (or an infinity) is reported as not a number.
        #expect(Env.double("CM_TEST_THRESHOLD", 3.5, environment: ["CM_TEST_THRESHOLD": " 2.75 "]) == 2.75)
        #expect(Env.double("CM_TEST_THRESHOLD", 3.5, environment: ["CM_TEST_THRESHOLD": "high"]) == 3.5)
        #expect(throws: EnvNumberError(variable: "CM_TEST_THRESHOLD", value: "high", expected: "a number")) {
            try Env.checkNumbers(environment: ["CM_TEST_THRESHOLD": "high"])
        }
        #expect(Env.double("CM_TEST_INFINITE", 1, environment: ["CM_TEST_INFINITE": "inf"]) == 1)
        // Not in the process's environment: a service reading it would not be stopped.
        #expect(throws: Never.self) { try Env.checkNumbers() }
    }
}
