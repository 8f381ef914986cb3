/// An optional field of a JSON answer that is written as `null` when absent rather than left
/// out, so every answer of a route has the same keys (`"intensity": null` for a month without
/// a value). Synthesized `Codable` leaves nil optionals out; this wrapper does not.
@propertyWrapper
public struct ExplicitNull<Value: Encodable & Sendable>: Encodable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}
