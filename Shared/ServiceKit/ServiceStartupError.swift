/// Why a service could not start, in words an operator can act on.
public struct ServiceStartupError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
