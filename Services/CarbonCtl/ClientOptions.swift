import ArgumentParser
import Foundation

/// Where the services are and the token to present: shared by every subcommand, each with an
/// environment fallback so scripts can set them once.
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong("collector-url"), help: "Collector base URL (env CM_COLLECTOR_URL; default http://127.0.0.1:8080).")
    var collectorURLText: String?

    @Option(name: .customLong("reporter-url"), help: "Reporter base URL (env CM_REPORTER_URL; default http://127.0.0.1:8083).")
    var reporterURLText: String?

    @Option(name: .customLong("auth-url"), help: "Auth base URL, for login (env CM_AUTH_URL; default http://127.0.0.1:8084).")
    var authURLText: String?

    @Option(
        name: .customLong("calculator-url"), help: "Calculator base URL, for explain (env CM_CALCULATOR_URL; default http://127.0.0.1:8082).")
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
        case .collector: text = Self.value(collectorURLText, env: "CM_COLLECTOR_URL", default: "http://127.0.0.1:8080")
        case .reporter: text = Self.value(reporterURLText, env: "CM_REPORTER_URL", default: "http://127.0.0.1:8083")
        case .auth: text = Self.value(authURLText, env: "CM_AUTH_URL", default: "http://127.0.0.1:8084")
        case .calculator: text = Self.value(calculatorURLText, env: "CM_CALCULATOR_URL", default: "http://127.0.0.1:8082")
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
