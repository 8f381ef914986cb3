/// The parts of a cell's location-based total (kg CO2e, scope 1 + scope 2 location + scope 3)
/// that rest on measured, filled, flagged, estimated and profiled data — the absolute form of
/// ``QualityShares``. Allocation is linear (a weight or share times the figures), so the same
/// weight applied to these parts keeps each part equal to the share of the cell's value it
/// stands for; summing cells sums the parts.
public struct QualityAmounts: Sendable, Hashable {
    public var measured: Double
    public var filled: Double
    public var flagged: Double
    public var estimated: Double
    public var profiled: Double

    public static let zero = QualityAmounts(measured: 0, filled: 0, flagged: 0, estimated: 0)

    public init(measured: Double, filled: Double, flagged: Double, estimated: Double, profiled: Double = 0) {
        self.measured = measured
        self.filled = filled
        self.flagged = flagged
        self.estimated = estimated
        self.profiled = profiled
    }

    public var total: Double { measured + filled + flagged + estimated + profiled }

    public func scaled(by factor: Double) -> QualityAmounts {
        QualityAmounts(
            measured: measured * factor, filled: filled * factor, flagged: flagged * factor, estimated: estimated * factor,
            profiled: profiled * factor)
    }

    public static func + (lhs: QualityAmounts, rhs: QualityAmounts) -> QualityAmounts {
        QualityAmounts(
            measured: lhs.measured + rhs.measured, filled: lhs.filled + rhs.filled, flagged: lhs.flagged + rhs.flagged,
            estimated: lhs.estimated + rhs.estimated, profiled: lhs.profiled + rhs.profiled)
    }

    public static func += (lhs: inout QualityAmounts, rhs: QualityAmounts) { lhs = lhs + rhs }

    /// Each part over the total; ``QualityShares/zero`` for a zero total.
    public var shares: QualityShares {
        let t = total
        guard t != 0 else { return .zero }
        return QualityShares(
            measured: measured / t, filled: filled / t, flagged: flagged / t, estimated: estimated / t, profiled: profiled / t)
    }
}
