import Testing

@testable import ServiceKit

/// Boolean environment variables: the on and off words in any case, and anything else refused
/// naming the variable, never read as off.
@Suite struct EnvSwitchTests {
    @Test(arguments: ["1", "true", "yes", "on", "TRUE", "Yes", "On", " on "])
    func onWords(_ word: String) {
        #expect(EnvSwitch.parse(word) == true)
    }

    @Test(arguments: ["0", "false", "no", "off", "FALSE", "No", "OFF"])
    func offWords(_ word: String) {
        #expect(EnvSwitch.parse(word) == false)
    }

    @Test(arguments: ["2", "maybe", "enabled", "y", "t", "-1", "1.0", "truee"])
    func otherWordsAreNoSwitch(_ word: String) {
        #expect(EnvSwitch.parse(word) == nil)
    }

    @Test func unsetOrEmptyLeavesTheDefault() throws {
        #expect(try Env.switchValue("CM_REQUIRE_AUTH", environment: [:]) == nil)
        #expect(try Env.switchValue("CM_REQUIRE_AUTH", environment: ["CM_REQUIRE_AUTH": ""]) == nil)
        #expect(try Env.switchValue("CM_REQUIRE_AUTH", environment: ["CM_REQUIRE_AUTH": "On"]) == true)
    }

    @Test func aBadValueNamesTheVariableAndWhatItMayHold() {
        let environment = ["CM_REQUIRE_AUTH": "1", "CM_INGEST_CURVE": "maybe"]
        #expect(throws: EnvSwitchError(variable: "CM_INGEST_CURVE", value: "maybe")) {
            try Env.checkSwitches(["CM_REQUIRE_AUTH", "CM_INGEST_CURVE"], environment: environment)
        }
        let message = EnvSwitchError(variable: "CM_INGEST_CURVE", value: "maybe").description
        #expect(message.contains("CM_INGEST_CURVE=\"maybe\"") && message.contains("1, true, yes or on") && message.contains("0, false, no or off"))
    }
}
