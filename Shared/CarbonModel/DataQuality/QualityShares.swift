/// The shares of a result's value resting on measured, filled (interpolated), flagged
/// (outlier, kept) and estimated (CCF) data. They sum to 1 for a nonzero value, and are all 0
/// for a zero value.
public struct QualityShares: Codable, Sendable, Hashable {
    public var measured: Double
    public var filled: Double
    public var flagged: Double
    public var estimated: Double

    public static let zero = QualityShares(measured: 0, filled: 0, flagged: 0, estimated: 0)
    public static let allMeasured = QualityShares(measured: 1, filled: 0, flagged: 0, estimated: 0)
    public static let allEstimated = QualityShares(measured: 0, filled: 0, flagged: 0, estimated: 1)

    public init(measured: Double, filled: Double, flagged: Double, estimated: Double) {
        self.measured = measured
        self.filled = filled
        self.flagged = flagged
        self.estimated = estimated
    }

    /// Shares of `total` given the parts of it that are filled and flagged; the rest is
    /// measured. Zero total gives ``zero``.
    public static func of(total: Double, filled: Double, flagged: Double) -> QualityShares {
        guard total != 0 else { return .zero }
        let f = filled / total
        let g = flagged / total
        return QualityShares(measured: 1 - f - g, filled: f, flagged: g, estimated: 0)
    }

    /// Shares of a series' total amount by the quality of each hour.
    public static func of(_ series: [QualifiedAmount]) -> QualityShares {
        var total = 0.0, filled = 0.0, flagged = 0.0
        for entry in series {
            total += entry.amount
            switch entry.quality {
            case .measured: break
            case .filled: filled += entry.amount
            case .flagged: flagged += entry.amount
            }
        }
        return of(total: total, filled: filled, flagged: flagged)
    }
}
