import Foundation

/// A JSON document as a typed tree, for answers whose keys are data (the dimensions a query
/// groups by, the sections of a report) rather than fields of a type. Unlike `[String: Any]`,
/// it is `Sendable`, holds nothing JSON cannot, and encodes with `JSONEncoder` like every
/// other answer (a non-finite number is an encoding error, never a silent `{}`).
public enum JSONValue: Codable, Sendable, Equatable {
    case string(String)
    case number(Double)
    case integer(Int64)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        case .array(let values): try container.encode(values)
        case .object(let members): try container.encode(members)
        }
    }

    /// Any JSON document (another service's answer, say), kept as it was: integers stay
    /// integers, other numbers are doubles.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Each `try?` probes one shape JSON can have; failing one means trying the next.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let values = try? container.decode([JSONValue].self) {
            self = .array(values)
        } else {
            // The last shape JSON has: its error, if any, says what was wrong.
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// `value` as a string, or null when absent.
    public static func string(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
    /// `value` as a number, or null when absent.
    public static func number(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }
    /// `value` as an integer, or null when absent.
    public static func integer(_ value: Int64?) -> JSONValue { value.map { .integer($0) } ?? .null }

    /// The document as JSON bytes: sorted keys, pretty-printed, slashes unescaped.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
