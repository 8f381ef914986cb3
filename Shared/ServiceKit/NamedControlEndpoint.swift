import Foundation
import ZeroMQ

/// One entry of a list of other services' control endpoints (the reporter's
/// `--pipeline-control`, auth's `--service-control`), optionally named by its service
/// (`preprocessor=tcp://10.0.0.2:5572`). The name picks the server key a CURVE link needs;
/// without CURVE it is only a label.
public struct NamedControlEndpoint: Sendable, Equatable {
    public var service: String?
    public var endpoint: String

    public init(service: String?, endpoint: String) {
        self.service = service
        self.endpoint = endpoint
    }

    /// Parses the comma-separated list.
    public static func parse(_ list: String) -> [NamedControlEndpoint] {
        list.split(separator: ",").compactMap { entry in
            let text = entry.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { return nil }
            if let equals = text.firstIndex(of: "="), !text[..<equals].contains(":") {
                return NamedControlEndpoint(
                    service: String(text[..<equals]).trimmingCharacters(in: .whitespaces),
                    endpoint: String(text[text.index(after: equals)...]).trimmingCharacters(in: .whitespaces))
            }
            return NamedControlEndpoint(service: nil, endpoint: text)
        }
    }

    /// The link's security: plain without CURVE; with it, a client of the named service.
    public func security(_ curve: CurveConfiguration?) throws -> LinkSecurity {
        guard let curve else { return .plain }
        guard let service else {
            throw ServiceStartupError(
                "with --curve-dir, name the service of each control endpoint (e.g. preprocessor=\(endpoint)) so its key is known")
        }
        return try curve.client(of: service)
    }
}
