import CZMQ

/// How one socket secures its link: in the clear, as a CURVE server (binding side; a ZAP
/// handler in the same context decides which clients get in), or as a CURVE client that
/// knows the server's public key.
public enum LinkSecurity: Sendable, Equatable {
    case plain
    case curveServer(CurveKeyPair)
    case curveClient(CurveKeyPair, serverKey: CurveKey)

    /// The ZAP domain CURVE servers of this suite announce to the ZAP handler.
    public static let zapDomain = "carbonmeter"

    public var isCurve: Bool { self != .plain }
}

extension ZMQSocket {
    /// Applies `security`; call before `bind` or `connect` (libzmq reads these options when a
    /// connection's handshake starts).
    public func apply(_ security: LinkSecurity) throws(ZMQError) {
        switch security {
        case .plain:
            return
        case .curveServer(let pair):
            try setOption(ZMQ_CURVE_SERVER, Int32(1))
            try setOption(ZMQ_CURVE_SECRETKEY, bytes: pair.secretKey.bytes)
            try setOption(ZMQ_ZAP_DOMAIN, bytes: Array(LinkSecurity.zapDomain.utf8))
        case .curveClient(let pair, let serverKey):
            try setOption(ZMQ_CURVE_SERVERKEY, bytes: serverKey.bytes)
            try setOption(ZMQ_CURVE_PUBLICKEY, bytes: pair.publicKey.bytes)
            try setOption(ZMQ_CURVE_SECRETKEY, bytes: pair.secretKey.bytes)
        }
    }
}
