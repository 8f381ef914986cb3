import Logging

/// Sets up swift-log once per process: logfmt-style lines on stderr, with the service and
/// instance attached to every line.
public enum ServiceLogging {
    public static func bootstrap(service: String, instance: String, level: String) -> Logger {
        let parsed = Logger.Level(rawValue: level.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
        var logger = Logger(label: "carbonmeter.\(service)")
        logger[metadataKey: "service"] = "\(service)"
        logger[metadataKey: "instance"] = "\(instance)"
        return logger
    }
}
