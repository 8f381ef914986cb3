import Foundation

/// Who sent a message: the service and the instance (replica) of it.
public struct MessageSource: Codable, Sendable, Hashable {
    public var service: String
    public var instance: String

    public init(service: String, instance: String) {
        self.service = service
        self.instance = instance
    }
}

/// The header of every message between services: identity, versioned type, provenance and
/// tracing. Unknown fields are tolerated so that newer senders can add to it.
public struct EnvelopeHeader: Codable, Sendable, Hashable {
    /// Unique and the idempotency key of the message: receivers record it in their inbox.
    public var id: String
    /// Versioned type, e.g. `ingest.batch.v1`.
    public var type: String
    public var source: MessageSource
    public var tenant: String?
    /// ISO 8601 with milliseconds, UTC.
    public var createdAt: String
    public var correlationId: String?
    public var causationId: String?
    /// For replies: an HTTP-like status (200 ok, 4xx the request was wrong, 5xx we failed).
    public var status: Int?
    /// For replies with a status other than 200: what went wrong.
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case id, type, source, tenant, status, error
        case createdAt = "created_at"
        case correlationId = "correlation_id"
        case causationId = "causation_id"
    }

    public init(
        id: String = MessageID.make(), type: String, source: MessageSource, tenant: String? = nil,
        createdAt: String = MessageClock.timestamp(), correlationId: String? = nil, causationId: String? = nil,
        status: Int? = nil, error: String? = nil
    ) {
        self.id = id
        self.type = type
        self.source = source
        self.tenant = tenant
        self.createdAt = createdAt
        self.correlationId = correlationId
        self.causationId = causationId
        self.status = status
        self.error = error
    }
}
