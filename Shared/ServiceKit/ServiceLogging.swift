import Synchronization
import Logging

/// Sets up swift-log once per process: logfmt-style lines on stderr, with the service and
/// instance attached to every line, and control characters escaped (`EscapingLogHandler`) so
/// that one log call is one line whatever a request put in it.
public enum ServiceLogging {
    private static let bootstrapped = Mutex(false)

    public static func bootstrap(service: String, instance: String, level: String) -> Logger {
        let parsed = Logger.Level(rawValue: level.lowercased()) ?? .info
        // The logging system can be set up once per process; a second service built in the same
        // process (an in-process test) logs through the first one's handler.
        bootstrapped.withLock { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap { label in
                var handler = EscapingLogHandler(wrapping: StreamLogHandler.standardError(label: label))
                handler.logLevel = parsed
                return handler
            }
        }
        var logger = Logger(label: "carbonmeter.\(service)")
        logger[metadataKey: "service"] = "\(service)"
        logger[metadataKey: "instance"] = "\(instance)"
        return logger
    }
}
