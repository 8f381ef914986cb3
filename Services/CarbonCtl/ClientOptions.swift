import ArgumentParser
import Foundation

/// Where the services are and the token to present: shared by every subcommand, each with an
/// environment fallback so scripts can set them once.
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong("collector-url"), help: "Collector base URL (env CM_COLLECTOR_URL; default \(DefaultHTTPPort.url(.collector))).")
    var collectorURLText: String?

    @Option(name: .customLong("reporter-url"), help: "Reporter base URL (env CM_REPORTER_URL; default \(DefaultHTTPPort.url(.reporter))).")
    var reporterURLText: String?

    @Option(name: .customLong("auth-url"), help: "Auth base URL, for login (env CM_AUTH_URL; default \(DefaultHTTPPort.url(.auth))).")
    var authURLText: String?

    @Option(
        name: .customLong("calculator-url"), help: "Calculator base URL, for explain (env CM_CALCULATOR_URL; default \(DefaultHTTPPort.url(.calculator))).")
    var calculatorURLText: String?

    @Option(help: "Access token or API key, sent as 'Authorization: Bearer' (env CM_TOKEN).")
    var token: String?

    private static func value(_ flag: String?, env: String, default fallback: String) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let text = ProcessInfo.processInfo.environment[env], !text.isEmpty { return text }
        return fallback
    }

    func client(for service: ServiceName) throws -> ServiceClient {
        let text: String
        switch service {
        case .collector: text = Self.value(collectorURLText, env: "CM_COLLECTOR_URL", default: DefaultHTTPPort.url(.collector))
        case .reporter: text = Self.value(reporterURLText, env: "CM_REPORTER_URL", default: DefaultHTTPPort.url(.reporter))
        case .auth: text = Self.value(authURLText, env: "CM_AUTH_URL", default: DefaultHTTPPort.url(.auth))
        case .calculator: text = Self.value(calculatorURLText, env: "CM_CALCULATOR_URL", default: DefaultHTTPPort.url(.calculator))
        }
        guard let url = URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text), url.scheme != nil, url.host != nil else {
            throw ValidationError("\(service.rawValue) URL '\(text)' is not an http(s) URL")
        }
        let bearer = token ?? ProcessInfo.processInfo.environment["CM_TOKEN"]
        return ServiceClient(service: service, baseURL: url, token: bearer?.isEmpty == true ? nil : bearer)
    }
}

/// The services `carbonctl` talks to.
enum ServiceName: String, Sendable {
    case collector, reporter, auth, calculator
}

extension DefaultHTTPPort {
    /// A service's base URL on one host with the default ports (topology/suite.json).
    static func url(_ service: ServiceName) -> String {
        let port: Int
        switch service {
        case .collector: port = collector
        case .reporter: port = reporter
        case .auth: port = auth
        case .calculator: port = calculator
        }
        return "http://\(host):\(port)"
    }
}
