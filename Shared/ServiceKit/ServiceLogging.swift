import Logging

/// Sets up swift-log once per process: logfmt-style lines on stderr, with the service and
/// instance attached to every line, and control characters escaped (`EscapingLogHandler`) so
/// that one log call is one line whatever a request put in it.
public enum ServiceLogging {
    public static func bootstrap(service: String, instance: String, level: String) -> Logger {
        let parsed = Logger.Level(rawValue: level.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = EscapingLogHandler(wrapping: StreamLogHandler.standardError(label: label))
            handler.logLevel = parsed
            return handler
        }
        var logger = Logger(label: "carbonmeter.\(service)")
        logger[metadataKey: "service"] = "\(service)"
        logger[metadataKey: "instance"] = "\(instance)"
        return logger
    }
}
