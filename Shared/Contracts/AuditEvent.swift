import CarbonModel
import Foundation

/// The body of an `audit.event.v1` request: an event another service records in its own store
/// (in the same transaction as the act, e.g. an ingest write, or right after a denial) and
/// delivers to auth from its audit outbox until auth confirms. `id` makes redelivery harmless:
/// auth appends each id to its hash-chained log once.
public struct AuditEvent: Codable, Sendable, Hashable {
    public static let messageType = "audit.event.v1"

    public var id: String
    /// The service that saw the act (`collector`, `reporter`, …).
    public var service: String
    /// Who acted: a user name, `key:<id>`, `source:<name>` for a compiled-in source, `anonymous`.
    public var actor: String
    /// What, e.g. `ingest.activity` or `denied GET /v1/emissions`.
    public var action: String
    public var tenant: String?
    /// `success` or `denied`.
    public var outcome: String
    public var detail: String

    public init(id: String, service: String, actor: String, action: String, tenant: String?, outcome: String, detail: String) {
        self.id = id
        self.service = service
        self.actor = actor
        self.action = action
        self.tenant = tenant
        self.outcome = outcome
        self.detail = detail
    }
}
