/// What a service says about itself over its control endpoint and `/health`: whether it is
/// healthy and how much work it still holds, so the reporter can tell when the pipeline has
/// drained.
public struct StatusReport: Codable, Sendable {
    public var service: String
    public var instance: String
    public var healthy: Bool
    /// Messages written to this service's outbox and not yet acknowledged downstream.
    public var outboxPending: Int
    /// Messages this service has applied.
    public var inboxProcessed: Int
    /// Work accepted but not yet turned into outbox messages (e.g. months awaiting calculation).
    public var pendingWork: Int
    public var details: [String: String]

    enum CodingKeys: String, CodingKey {
        case service, instance, healthy, details
        case outboxPending = "outbox_pending"
        case inboxProcessed = "inbox_processed"
        case pendingWork = "pending_work"
    }

    public init(
        service: String, instance: String, healthy: Bool = true, outboxPending: Int = 0, inboxProcessed: Int = 0,
        pendingWork: Int = 0, details: [String: String] = [:]
    ) {
        self.service = service
        self.instance = instance
        self.healthy = healthy
        self.outboxPending = outboxPending
        self.inboxProcessed = inboxProcessed
        self.pendingWork = pendingWork
        self.details = details
    }

    /// True when this service holds no work in any form.
    public var idle: Bool { outboxPending == 0 && pendingWork == 0 }
}
