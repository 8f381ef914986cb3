/// Power draw per vCPU (W) of a processor family at idle (`min`) and at full load (`max`),
/// between which CCF interpolates linearly by CPU utilization.
public struct CCFWattRange: Sendable, Hashable, Codable {
    public var min: Double
    public var max: Double

    public init(min: Double, max: Double) {
        self.min = min
        self.max = max
    }
}
