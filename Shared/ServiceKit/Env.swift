import Foundation
import Synchronization

/// Reads configuration from the environment: the fallbacks of the services' flags.
public enum Env {
    public static func optionalString(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    public static func string(_ name: String, _ fallback: String) -> String { optionalString(name) ?? fallback }

    /// The default of a numeric flag: the variable's value when it is a whole number, else
    /// `fallback`. A value that is set but not a number is remembered and reported by
    /// `checkNumbers` from the options' `validate()`, so `CM_TOKEN_TTL_SECONDS=15m` stops the
    /// service naming the variable instead of quietly meaning 900.
    public static func int(_ name: String, _ fallback: Int, environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        guard let text = environment[name], !text.isEmpty else { return fallback }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            unreadableNumbers.withLock { $0[name] = .whole }
            return fallback
        }
        return value
    }

    /// The default of a decimal flag, as `int` is for whole numbers: a set value that is not a
    /// finite number is remembered and reported by `checkNumbers`.
    public static func double(_ name: String, _ fallback: Double, environment: [String: String] = ProcessInfo.processInfo.environment) -> Double {
        guard let text = environment[name], !text.isEmpty else { return fallback }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            unreadableNumbers.withLock { $0[name] = .decimal }
            return fallback
        }
        return value
    }

    /// What a numeric variable must hold.
    enum NumberKind: Sendable {
        case whole, decimal

        func reads(_ text: String) -> Bool {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            switch self {
            case .whole: return Int(trimmed) != nil
            case .decimal: return Double(trimmed).map(\.isFinite) ?? false
            }
        }
    }

    /// Variables read by `int` or `double` that held something else, by name.
    private static let unreadableNumbers = Mutex<[String: NumberKind]>([:])

    /// Throws, naming the first variable in name order, when a numeric variable read so far
    /// holds something that is not a whole number in `environment` (the process's, for a
    /// service; a test's own otherwise — the record is per process, and tests share one).
    public static func checkNumbers(environment: [String: String] = ProcessInfo.processInfo.environment) throws(EnvNumberError) {
        for (name, kind) in unreadableNumbers.withLock({ $0.sorted { $0.key < $1.key } }) {
            guard let text = environment[name], !text.isEmpty, !kind.reads(text) else { continue }
            throw EnvNumberError(variable: name, value: text, expected: kind == .whole ? "a whole number" : "a number")
        }
    }

    /// The default of a boolean flag: the variable's value when it is a valid switch, else
    /// `fallback`. Property initializers cannot throw, so an invalid value is reported by
    /// `checkSwitches` from the options' `validate()` instead of being read as off.
    public static func bool(_ name: String, _ fallback: Bool) -> Bool {
        // Not lost: `checkSwitches` throws for the same value when the options are validated.
        (try? switchValue(name)) ?? fallback
    }

    /// A boolean switch's value: nil when the variable is unset or empty.
    public static func switchValue(
        _ name: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(EnvSwitchError) -> Bool? {
        guard let text = environment[name], !text.isEmpty else { return nil }
        guard let value = EnvSwitch.parse(text) else { throw EnvSwitchError(variable: name, value: text) }
        return value
    }

    /// Throws, naming the first variable, when any of `names` is set to something that is not a switch.
    public static func checkSwitches(
        _ names: [String], environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(EnvSwitchError) {
        for name in names { _ = try switchValue(name, environment: environment) }
    }
}

/// The words a boolean environment variable (`CM_REQUIRE_AUTH`, `CM_INSECURE_OPEN`, …) may hold.
public enum EnvSwitch {
    public static let on: Set<String> = ["1", "true", "yes", "on"]
    public static let off: Set<String> = ["0", "false", "no", "off"]

    /// true for `1/true/yes/on`, false for `0/false/no/off` (any case, surrounding spaces
    /// ignored), nil for anything else — which must stop the service rather than read as off.
    public static func parse(_ text: String) -> Bool? {
        let word = text.trimmingCharacters(in: .whitespaces).lowercased()
        if on.contains(word) { return true }
        if off.contains(word) { return false }
        return nil
    }
}

/// A boolean environment variable set to a word that is neither on nor off.
public struct EnvSwitchError: Error, CustomStringConvertible, Equatable, Sendable {
    public var variable: String
    public var value: String

    public var description: String {
        "\(variable)=\"\(value)\" is not a switch: use 1, true, yes or on to turn it on, 0, false, no or off to turn it off"
    }
}

/// A numeric environment variable set to something that is not a whole number.
public struct EnvNumberError: Error, CustomStringConvertible, Equatable, Sendable {
    public var variable: String
    public var value: String
    public var expected = "a whole number"

    public init(variable: String, value: String, expected: String = "a whole number") {
        self.variable = variable
        self.value = value
        self.expected = expected
    }

    public var description: String { "\(variable)=\"\(value)\" is not \(expected)" }
}
