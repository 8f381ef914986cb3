import CZMQ
import Foundation

/// A failed libzmq call, with errno mapped to the cases callers act on.
public enum ZMQError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `EAGAIN`: nothing to receive yet, or a non-blocking send would block.
    case wouldBlock
    /// `EINTR`: interrupted by a signal; the call may be retried.
    case interrupted
    /// `ETERM`: the context is being terminated; the socket must be closed.
    case terminated
    /// `EHOSTUNREACH`: a ROUTER with `ROUTER_MANDATORY` has no peer of that identity.
    case unroutable
    /// `EADDRINUSE` while binding.
    case addressInUse(endpoint: String)
    /// Any other failure: the operation, errno and libzmq's text.
    case failed(operation: String, errno: Int32, message: String)

    /// The error for the current `zmq_errno()`.
    static func last(_ operation: String, endpoint: String? = nil) -> ZMQError {
        let code = zmq_errno()
        switch code {
        case EAGAIN: return .wouldBlock
        case EINTR: return .interrupted
        case ETERM: return .terminated
        case EHOSTUNREACH: return .unroutable
        case EADDRINUSE: return .addressInUse(endpoint: endpoint ?? "?")
        default:
            let text = String(cString: zmq_strerror(code))
            return .failed(operation: endpoint.map { "\(operation) \($0)" } ?? operation, errno: code, message: text)
        }
    }

    public var description: String {
        switch self {
        case .wouldBlock: return "operation would block (EAGAIN)"
        case .interrupted: return "interrupted (EINTR)"
        case .terminated: return "context terminated (ETERM)"
        case .unroutable: return "no peer with that routing id (EHOSTUNREACH)"
        case .addressInUse(let endpoint): return "address already in use: \(endpoint)"
        case .failed(let operation, let code, let message): return "\(operation) failed: \(message) (errno \(code))"
        }
    }
}
