import Foundation
import Logging
import Messaging
import Synchronization
import ZeroMQ

/// Request clients for a list of other services' control endpoints (the reporter's
/// `--pipeline-control`, auth's `--service-control`), in the list's order. An entry may be
/// `dns+tcp://name:port`: it stands for every replica behind the name, resolved again at each
/// use, so a survey or an erase reaches replicas added by `--scale` and skips ones gone.
public final class ControlClients: Sendable {
    /// One control endpoint to ask now, or an entry whose name resolves to no address.
    public enum Target: Sendable {
        case client(RequestClient)
        case unresolved(String)
    }

    private struct Entry: Sendable {
        var named: NamedControlEndpoint
        var addresses: EndpointAddresses
        var security: LinkSecurity
    }

    private let loop: ZMQEventLoop
    private let source: MessageSource
    private let entries: [Entry]
    private let logger: Logger
    private let started = Mutex<[String: RequestClient]>([:])

    /// Parses `list` and checks each entry's CURVE key now, so a bad list fails at start.
    /// `logger` is the service's, for the clients' reports of replies they cannot match.
    public init(
        loop: ZMQEventLoop, list: String, source: MessageSource, curve: CurveConfiguration?,
        logger: Logger = Logger(label: "carbonmeter.control-clients")
    ) throws {
        self.loop = loop
        self.source = source
        self.logger = logger
        entries = try NamedControlEndpoint.parse(list).map { named in
            Entry(named: named, addresses: try EndpointAddresses.parse(named.endpoint), security: try named.security(curve))
        }
    }

    /// How many entries the list has (a `dns+tcp` entry counts once).
    public var entryCount: Int { entries.count }

    /// The endpoints to ask now, in list order, each connected once and reused.
    public func targets() async throws -> [Target] {
        var targets: [Target] = []
        for entry in entries {
            let endpoints = entry.addresses.endpoints()
            if endpoints.isEmpty { targets.append(.unresolved("\(entry.named.endpoint): the name resolves to no address")) }
            for endpoint in endpoints {
                if let client = started.withLock({ $0[endpoint] }) {
                    targets.append(.client(client))
                    continue
                }
                let client = RequestClient(loop: loop, endpoint: endpoint, source: source, security: entry.security, logger: logger)
                try await client.start()
                started.withLock { $0[endpoint] = client }
                targets.append(.client(client))
            }
        }
        return targets
    }
}
