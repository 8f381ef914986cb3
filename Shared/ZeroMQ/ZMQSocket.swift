import CZMQ
import Foundation

/// One ZeroMQ socket. Not thread-safe: create, use and close it on a single thread
/// (in this suite, the thread of a `ZMQEventLoop`).
public final class ZMQSocket {
    private(set) var handle: UnsafeMutableRawPointer?
    public let type: ZMQSocketType

    public init(context: ZMQContext, type: ZMQSocketType) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, type.raw) else { throw ZMQError.last("zmq_socket") }
        self.handle = handle
        self.type = type
        // Closing must never hang the process on unsent messages: delivery is proven by
        // application acknowledgements, not by LINGER, which libzmq does not always honour (a
        // socket closed with a linger set can still drop queued messages).
        try setOption(ZMQ_LINGER, Int32(0))
    }

    deinit { close() }

    /// Closes the socket; further calls fail. Safe to call twice.
    public func close() {
        if let handle {
            zmq_close(handle)
            self.handle = nil
        }
    }

    var isClosed: Bool { handle == nil }

    private func live(_ operation: String) throws(ZMQError) -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError.failed(operation: operation, errno: ENOTSOCK, message: "socket is closed") }
        return handle
    }

    // MARK: options

    public func setOption(_ option: Int32, _ value: Int32) throws(ZMQError) {
        var v = value
        let rc = zmq_setsockopt(try live("zmq_setsockopt"), option, &v, MemoryLayout<Int32>.size)
        if rc != 0 { throw ZMQError.last("zmq_setsockopt(\(option))") }
    }

    public func setOption(_ option: Int32, _ value: Int64) throws(ZMQError) {
        var v = value
        let rc = zmq_setsockopt(try live("zmq_setsockopt"), option, &v, MemoryLayout<Int64>.size)
        if rc != 0 { throw ZMQError.last("zmq_setsockopt(\(option))") }
    }

    public func setOption(_ option: Int32, bytes: [UInt8]) throws(ZMQError) {
        let handle = try live("zmq_setsockopt")
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        if rc != 0 { throw ZMQError.last("zmq_setsockopt(\(option))") }
    }

    /// The identity a ROUTER peer sees for this socket; set before connect.
    public func setRoutingID(_ id: String) throws(ZMQError) { try setOption(ZMQ_ROUTING_ID, bytes: Array(id.utf8)) }
    /// Make a ROUTER fail with `.unroutable` instead of silently dropping a message to an unknown peer.
    public func setRouterMandatory(_ on: Bool = true) throws(ZMQError) { try setOption(ZMQ_ROUTER_MANDATORY, Int32(on ? 1 : 0)) }
    /// Largest inbound message accepted; larger ones drop the connection.
    public func setMaxMessageSize(_ bytes: Int64) throws(ZMQError) { try setOption(ZMQ_MAXMSGSIZE, bytes) }
    public func setReconnectInterval(milliseconds: Int32) throws(ZMQError) { try setOption(ZMQ_RECONNECT_IVL, milliseconds) }
    /// A blocking receive gives up after this long, throwing `.wouldBlock` (-1: wait forever).
    public func setReceiveTimeout(milliseconds: Int32) throws(ZMQError) { try setOption(ZMQ_RCVTIMEO, milliseconds) }

    // MARK: bind / connect

    public func bind(_ endpoint: String) throws(ZMQError) {
        if zmq_bind(try live("zmq_bind"), endpoint) != 0 { throw ZMQError.last("zmq_bind", endpoint: endpoint) }
    }

    public func connect(_ endpoint: String) throws(ZMQError) {
        if zmq_connect(try live("zmq_connect"), endpoint) != 0 { throw ZMQError.last("zmq_connect", endpoint: endpoint) }
    }

    /// Drops the connection to `endpoint` and opens a new one. libzmq never retries a connection
    /// whose handshake failed (a CURVE key it refused, or CURVE on one side only): it treats that
    /// as a protocol error and gives the connection up, so the owner starts over with this.
    public func reconnect(_ endpoint: String) throws(ZMQError) {
        let handle = try live("zmq_disconnect")
        // ENOENT (nothing left to disconnect) is fine: the connection is gone either way.
        _ = zmq_disconnect(handle, endpoint)
        try connect(endpoint)
    }

    /// The endpoint actually bound (useful after binding port 0 or `*`).
    public func lastEndpoint() throws(ZMQError) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        if zmq_getsockopt(try live("zmq_getsockopt"), ZMQ_LAST_ENDPOINT, &buffer, &size) != 0 {
            throw ZMQError.last("zmq_getsockopt(LAST_ENDPOINT)")
        }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: send / receive

    /// Sends every frame as one multipart message. With `dontWait`, throws `.wouldBlock` instead
    /// of blocking at the high-water mark. libzmq queues multipart messages atomically, so a
    /// failure on the first frame sends nothing.
    public func send(_ frames: [Data], dontWait: Bool = false) throws(ZMQError) {
        let handle = try live("zmq_send")
        precondition(!frames.isEmpty, "a ZeroMQ message has at least one frame")
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            if index < frames.count - 1 { flags |= ZMQ_SNDMORE }
            while true {
                let rc = frame.withUnsafeBytes { raw -> Int32 in
                    zmq_send(handle, raw.baseAddress, raw.count, flags)
                }
                if rc >= 0 { break }
                let error = ZMQError.last("zmq_send")
                if error == .interrupted { continue }
                throw error
            }
        }
    }

    /// Receives one whole multipart message, any size. Returns nil when `dontWait` is set and
    /// nothing is waiting.
    public func receive(dontWait: Bool = false) throws(ZMQError) -> [Data]? {
        let handle = try live("zmq_msg_recv")
        var frames: [Data] = []
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            let flags: Int32 = (dontWait && frames.isEmpty) ? ZMQ_DONTWAIT : 0
            let rc = zmq_msg_recv(&message, handle, flags)
            if rc < 0 {
                let error = ZMQError.last("zmq_msg_recv")
                if error == .interrupted { continue }
                if error == .wouldBlock && frames.isEmpty { return nil }
                throw error
            }
            let size = zmq_msg_size(&message)
            if size > 0, let data = zmq_msg_data(&message) {
                frames.append(Data(bytes: data, count: size))
            } else {
                frames.append(Data())
            }
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }
}

extension ZMQSocket {
    /// Convenience for text frames (UTF-8 bytes, not characters).
    public func send(strings: [String], dontWait: Bool = false) throws(ZMQError) {
        try send(strings.map { Data($0.utf8) }, dontWait: dontWait)
    }
}
