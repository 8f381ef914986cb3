import Foundation

/// A consumer's confirmation that it committed an outbox message, with the result it returned.
public struct Acknowledgement: Sendable {
    public var messageID: String
    public var result: Data
}

/// One outbox message handed to a consumer's processing loop.
public struct Delivery: Sendable {
    public var header: EnvelopeHeader
    public var body: Data
}
