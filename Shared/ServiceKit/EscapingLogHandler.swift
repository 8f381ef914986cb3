import Logging

/// The services' log handler: wraps another (stderr in production) and escapes control
/// characters in every message, metadata key and value, and error once, here, so that every
/// log call of every service, library code included, writes exactly one line per entry.
public struct EscapingLogHandler: LogHandler {
    private var inner: any LogHandler

    public init(wrapping inner: any LogHandler) {
        self.inner = inner
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue.map(Self.escaping) }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = Self.escape(newValue) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: LogEscaping.escape(key)] = newValue.map(Self.escape) }
    }

    public func log(event: LogEvent) {
        var safe = event
        safe.message = Logger.Message(stringLiteral: LogEscaping.escape(event.message.description))
        var metadata = event.metadata.map(Self.escape) ?? [:]
        // The inner handler would print the error as it is: turn it into escaped metadata first.
        if let error = event.error {
            metadata["error.message"] = .string(LogEscaping.escape("\(error)"))
            metadata["error.type"] = .string(LogEscaping.escape(String(reflecting: type(of: error))))
            safe.error = nil
        }
        safe.metadata = event.metadata == nil && event.error == nil ? nil : metadata
        inner.log(event: safe)
    }

    static func escape(_ metadata: Logger.Metadata) -> Logger.Metadata {
        Dictionary(metadata.map { (LogEscaping.escape($0.key), escape($0.value)) }, uniquingKeysWith: { first, _ in first })
    }

    static func escape(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): return .string(LogEscaping.escape(text))
        case .stringConvertible(let convertible): return .string(LogEscaping.escape(convertible.description))
        case .dictionary(let metadata): return .dictionary(escape(metadata))
        case .array(let values): return .array(values.map(escape))
        }
    }

    private static func escaping(_ provider: Logger.MetadataProvider) -> Logger.MetadataProvider {
        Logger.MetadataProvider { escape(provider.get()) }
    }
}
