import Foundation
import ServiceKit
import ZeroMQ

/// One entry of `--pipeline-control`: an upstream stage's control endpoint, optionally named
/// by its service (`preprocessor=tcp://10.0.0.2:5572`). The name picks the server key a CURVE
/// link needs; without CURVE it is only a label.
struct PipelineControlEndpoint: Sendable, Equatable {
    var service: String?
    var endpoint: String

    /// Parses the comma-separated list.
    static func parse(_ list: String) -> [PipelineControlEndpoint] {
        list.split(separator: ",").compactMap { entry in
            let text = entry.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { return nil }
            if let equals = text.firstIndex(of: "="), !text[..<equals].contains(":") {
                return PipelineControlEndpoint(
                    service: String(text[..<equals]).trimmingCharacters(in: .whitespaces),
                    endpoint: String(text[text.index(after: equals)...]).trimmingCharacters(in: .whitespaces))
            }
            return PipelineControlEndpoint(service: nil, endpoint: text)
        }
    }

    /// The link's security: plain without CURVE; with it, a client of the named service.
    func security(_ curve: CurveConfiguration?) throws -> LinkSecurity {
        guard let curve else { return .plain }
        guard let service else {
            throw ServiceStartupError(
                "with --curve-dir, name the service of each --pipeline-control endpoint (e.g. preprocessor=\(endpoint)) so its key is known")
        }
        return try curve.client(of: service)
    }
}
