import CZMQ

/// A CURVE identity: a public key others may know and the secret key only its owner holds.
/// Its description shows the public key alone, so logging a key pair never leaks the secret.
public struct CurveKeyPair: Sendable, Equatable, CustomStringConvertible {
    public let publicKey: CurveKey
    public let secretKey: CurveKey

    /// A fresh key pair from libzmq (`zmq_curve_keypair`, backed by libsodium's random source).
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        var publicText = [CChar](repeating: 0, count: CurveKey.z85Count + 1)
        var secretText = [CChar](repeating: 0, count: CurveKey.z85Count + 1)
        guard zmq_curve_keypair(&publicText, &secretText) == 0 else { throw ZMQError.last("zmq_curve_keypair") }
        do {
            return CurveKeyPair(
                publicKey: try CurveKey(z85: Self.text(publicText)), secretKey: try CurveKey(z85: Self.text(secretText)))
        } catch {
            throw ZMQError.failed(operation: "zmq_curve_keypair", errno: 0, message: "\(error)")
        }
    }

    /// The key pair of a secret key; its public key is derived (`zmq_curve_public`).
    public init(secretKey: CurveKey) throws(ZMQError) {
        var publicText = [CChar](repeating: 0, count: CurveKey.z85Count + 1)
        let rc = secretKey.z85.withCString { zmq_curve_public(&publicText, $0) }
        guard rc == 0 else { throw ZMQError.last("zmq_curve_public") }
        do { publicKey = try CurveKey(z85: Self.text(publicText)) } catch {
            throw ZMQError.failed(operation: "zmq_curve_public", errno: 0, message: "\(error)")
        }
        self.secretKey = secretKey
    }

    private init(publicKey: CurveKey, secretKey: CurveKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// The text of a NUL-terminated buffer libzmq filled.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public var description: String { "CurveKeyPair(public: \(publicKey.z85))" }

    /// True when this libzmq was built with CURVE (Debian's is, with libsodium).
    public static var isSupported: Bool { zmq_has("curve") != 0 }
}
