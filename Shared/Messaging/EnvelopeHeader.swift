import Foundation

/// Who sent a message: the service and the instance (replica) of it.
public struct MessageSource: Codable, Sendable, Hashable {
    public var service: String
    public var instance: String

    public init(service: String, instance: String) {
        self.service = service
        self.instance = instance
    }

    enum CodingKeys: String, CodingKey { case service, instance }

    /// `instance` may be left out by foreign clients (it then reads as empty).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        service = try container.decode(String.self, forKey: .service)
        instance = try container.decodeIfPresent(String.self, forKey: .instance) ?? ""
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
    /// For requests from collectors outside the suite: the API key, when the receiver requires
    /// one (see docs/ingest-protocol.md). Never set on replies or on messages between services.
    public var apiKey: String?

    enum CodingKeys: String, CodingKey {
        case id, type, source, tenant, status, error
        case createdAt = "created_at"
        case correlationId = "correlation_id"
        case causationId = "causation_id"
        case apiKey = "api_key"
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

    /// Tolerant of foreign clients: `created_at` may be left out (the receiver's clock is used)
    /// and `source` may be left out or lack `instance`, because a collector written from the
    /// protocol document alone should not be refused over provenance fields it cannot know.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        type = try container.decode(String.self, forKey: .type)
        source = try container.decodeIfPresent(MessageSource.self, forKey: .source) ?? MessageSource(service: "unknown", instance: "")
        tenant = try container.decodeIfPresent(String.self, forKey: .tenant)
        createdAt = try container.decodeIfPresent(String.self, forKey: .createdAt) ?? MessageClock.timestamp()
        correlationId = try container.decodeIfPresent(String.self, forKey: .correlationId)
        causationId = try container.decodeIfPresent(String.self, forKey: .causationId)
        status = try container.decodeIfPresent(Int.self, forKey: .status)
        error = try container.decodeIfPresent(String.self, forKey: .error)
        apiKey = try container.decodeIfPresent(String.self, forKey: .apiKey)
    }
}
