import Foundation

/// The commands of the CarbonMeter wire protocol `CM01`.
public enum WireCommand: String, Sendable {
    /// consumer → producer: "I can take `credits` messages"; also the consumer's heartbeat.
    case ready = "READY"
    /// producer → consumer: one outbox message.
    case message = "MSG"
    /// consumer → producer: the message was committed; the body carries the consumer's result.
    case ack = "ACK"
    /// client → server request, and its reply.
    case request = "REQ"
    case reply = "REP"
}

/// What was wrong with a multipart message that does not follow the `CM01` protocol.
public struct WireError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Encoding and decoding of the frames after any routing envelope:
/// `["CM01", command, header JSON, body]` (as in Majordomo: signature, command, header, body).
public enum WireFrame {
    public static let signature = Data("CM01".utf8)

    public static func encode(_ command: WireCommand, header: Data, body: Data = Data()) -> [Data] {
        [signature, Data(command.rawValue.utf8), header, body]
    }

    public static func encode(_ command: WireCommand, header: EnvelopeHeader, body: Data = Data()) -> [Data] {
        encode(command, header: encodeJSON(header), body: body)
    }

    /// Splits frames into the routing prefix (identities and an optional empty delimiter, as
    /// REQ sockets add) and the protocol part.
    public static func decode(_ frames: [Data], routed: Bool) throws(WireError) -> (route: [Data], command: WireCommand, header: Data, body: Data) {
        var index = 0
        var route: [Data] = []
        if routed {
            guard frames.count > 1 else { throw WireError(description: "message without a routing id") }
            route.append(frames[0])
            index = 1
            if index < frames.count, frames[index].isEmpty {
                route.append(frames[index])
                index += 1
            }
        }
        guard frames.count - index >= 3 else {
            throw WireError(description: "expected signature, command, header and body frames; got \(frames.count - index) frames")
        }
        guard frames[index] == signature else {
            throw WireError(description: "unknown protocol signature \(String(decoding: frames[index].prefix(16), as: UTF8.self).debugDescription) (expected CM01)")
        }
        let commandText = String(decoding: frames[index + 1], as: UTF8.self)
        guard let command = WireCommand(rawValue: commandText) else {
            throw WireError(description: "unknown command \(commandText.debugDescription)")
        }
        let body = frames.count - index >= 4 ? frames[index + 3] : Data()
        return (route, command, frames[index + 2], body)
    }

    public static func encodeJSON<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Cannot fail for what is sent: headers, verdicts, requests and replies of strings,
        // integers and booleans (JSONEncoder fails only on a non-finite number or a throwing
        // `encode(to:)`, neither of which they have); the empty object is never reached.
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    public static func decodeHeader(_ data: Data) throws(WireError) -> EnvelopeHeader {
        do {
            return try JSONDecoder().decode(EnvelopeHeader.self, from: data)
        } catch {
            throw WireError(description: "header is not a valid envelope header: \(error)")
        }
    }
}

/// The header of a READY: how many unacknowledged messages the consumer accepts, and which
/// shard it owns when the stage is sharded (nil: it takes messages addressed to no shard).
public struct ReadyHeader: Codable, Sendable {
    public var credits: Int
    public var instance: String
    public var shard: Int?
}

/// The header of an ACK: the id of the committed message.
public struct AckHeader: Codable, Sendable {
    public var id: String
}
