import Foundation

/// A consumer's confirmation that it committed an outbox message, with the result it returned.
public struct Acknowledgement: Sendable {
    public var messageID: String
    public var result: Data
}

/// One outbox message handed to a consumer's processing loop. `acknowledge` sends the ACK
/// back to the producer it came from; call it only after the work is committed.
public struct Delivery: Sendable {
    public var header: EnvelopeHeader
    public var body: Data
    public let acknowledge: @Sendable (_ result: Data) -> Void

    public init(header: EnvelopeHeader, body: Data, acknowledge: @escaping @Sendable (_ result: Data) -> Void = { _ in }) {
        self.header = header
        self.body = body
        self.acknowledge = acknowledge
    }
}
