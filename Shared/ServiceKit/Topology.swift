/// The default ports of the suite on one host. Every one can be overridden by a flag or an
/// environment variable of the service that uses it; these are what `scripts/up` uses.
public enum Topology {
    public static let collectorHTTP = 8080
    public static let preprocessorHTTP = 8081
    public static let calculatorHTTP = 8082
    public static let reporterHTTP = 8083
    public static let authHTTP = 8084

    /// Requests to auth (identity checks, status).
    public static let authControl = 5570
    /// Third-party collectors send batches here (ZeroMQ ingest protocol).
    public static let collectorIngest = 5560
    /// Reliable hops: each producer binds its outbox; the next stage connects.
    public static let collectorOutbox = 5561
    public static let preprocessorOutbox = 5562
    public static let calculatorOutbox = 5563
    /// Status queries of each pipeline stage.
    public static let collectorControl = 5571
    public static let preprocessorControl = 5572
    public static let calculatorControl = 5573
    public static let reporterControl = 5574

    public static func local(_ port: Int) -> String { "tcp://127.0.0.1:\(port)" }
}
