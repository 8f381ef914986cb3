import Foundation

/// One ZAP request (RFC 27, ZeroMQ Authentication Protocol), as libzmq sends it to the handler
/// bound at `inproc://zeromq.zap.01`: version "1.0", request id, domain, peer address, routing
/// id, mechanism, then the mechanism's credentials (for CURVE one frame: the client's 32-byte
/// long-term public key).
public struct ZAPRequest: Sendable, Equatable {
    public var version: String
    public var requestID: Data
    public var domain: String
    public var address: String
    public var routingID: Data
    public var mechanism: String
    public var credentials: [Data]

    /// Parses the frames a REP socket receives (its envelope already removed); nil when fewer
    /// than the six fixed frames arrived.
    public init?(frames: [Data]) {
        guard frames.count >= 6 else { return nil }
        version = String(decoding: frames[0], as: UTF8.self)
        requestID = frames[1]
        domain = String(decoding: frames[2], as: UTF8.self)
        address = String(decoding: frames[3], as: UTF8.self)
        routingID = frames[4]
        mechanism = String(decoding: frames[5], as: UTF8.self)
        credentials = Array(frames.dropFirst(6))
    }

    /// The CURVE client's public key, when this is a CURVE request with a well-formed key.
    public var curveClientKey: CurveKey? {
        guard mechanism == "CURVE", let first = credentials.first else { return nil }
        // A malformed key is no key: the ZAP handler refuses the peer and logs it.
        return try? CurveKey(bytes: Array(first))
    }

    /// The reply frames: version, request id, status code, status text, user id, metadata
    /// (RFC 27). 200 admits the peer, 400 refuses it.
    public func reply(status: Int, text: String, userID: String = "") -> [Data] {
        [Data("1.0".utf8), requestID, Data(String(status).utf8), Data(text.utf8), Data(userID.utf8), Data()]
    }
}
