/// One hour of a metered series with its quality.
public struct QualifiedAmount: Codable, Sendable, Hashable {
    /// Epoch seconds of the hour's start.
    public var hour: Int64
    public var amount: Double
    public var quality: DataQuality

    public init(hour: Int64, amount: Double, quality: DataQuality) {
        self.hour = hour
        self.amount = amount
        self.quality = quality
    }
}
