import Foundation
import CarbonModel
import Contracts
import Messaging
import Synchronization

/// What a replica's control endpoint answers, switchable once: standby replies while the replica
/// waits for a shard, the service's own status and handlers once it holds one. The endpoint is
/// bound from the start so that a standby replica answers status, export and erase (with nothing
/// held) instead of timing out and stalling the reporter's status or auth's erase.
public final class ControlResponder: Sendable {
    private struct Active: Sendable {
        var status: @Sendable () async -> StatusReport
        var handlers: [String: RequestServer.Handler]
    }

    private let service: String
    private let replica: String
    private let active = Mutex<Active?>(nil)

    public init(service: String, replica: String) {
        self.service = service
        self.replica = replica
    }

    /// From now on, answers with the service's own status and handlers.
    public func activate(status: @escaping @Sendable () async -> StatusReport, handlers: [String: RequestServer.Handler]) {
        active.withLock { $0 = Active(status: status, handlers: handlers) }
    }

    public var isActive: Bool { active.withLock { $0 != nil } }

    func status() async -> StatusReport {
        if let status = active.withLock({ $0?.status }) { return await status() }
        return StatusReport(service: service, instance: replica, details: ["role": "standby"])
    }

    func handle(_ request: Request) async -> Reply {
        let current = active.withLock { $0 }
        if let current {
            if let handler = current.handlers[request.header.type] { return await handler(request) }
            return .failure(404, "unknown request type \(request.header.type)")
        }
        // A standby holds no tenant data: an export finds nothing and an erase changes nothing.
        switch request.header.type {
        case TenantPrivacyRequest.exportType, TenantPrivacyRequest.eraseType:
            // Answered 400 as an active replica answers it (TenantPrivacyHandlers), rather than
            // as an empty success for tenant "": the decoder's detail adds nothing to that.
            guard let asked = try? JSONDecoder().decode(TenantPrivacyRequest.self, from: request.body), !asked.tenant.isEmpty else {
                return .failure(400, "body must be {\"tenant\": …}")
            }
            guard request.header.type == TenantPrivacyRequest.exportType else { return .json(EraseReply(service: service, changed: [:])) }
            let document = JSONValue.object(["service": .string(service), "tenant": .string(asked.tenant), "data": .object([:]), "role": .string("standby")])
            // Strings and an empty object always encode: the empty body is never reached.
            return Reply(body: (try? document.encoded()) ?? Data())
        default:
            return .failure(503, "\(service) replica \(replica) is a standby and holds no shard yet")
        }
    }
}
