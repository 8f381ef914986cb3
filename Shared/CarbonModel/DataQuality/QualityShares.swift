/// The shares of a result's value resting on measured, filled (interpolated), flagged
/// (outlier, kept), estimated (CCF) and profiled (grid electricity spread over its hours by a
/// load profile) data. They sum to 1 for a nonzero value, and are all 0 for a zero value.
public struct QualityShares: Codable, Sendable, Hashable {
    public var measured: Double
    public var filled: Double
    public var flagged: Double
    public var estimated: Double
    /// Grid electricity of a longer record (a monthly reading) spread over its hours by the
    /// site's load profile instead of read hour by hour.
    public var profiled: Double

    public static let zero = QualityShares(measured: 0, filled: 0, flagged: 0, estimated: 0)
    public static let allMeasured = QualityShares(measured: 1, filled: 0, flagged: 0, estimated: 0)
    public static let allEstimated = QualityShares(measured: 0, filled: 0, flagged: 0, estimated: 1)

    public init(measured: Double, filled: Double, flagged: Double, estimated: Double, profiled: Double = 0) {
        self.measured = measured
        self.filled = filled
        self.flagged = flagged
        self.estimated = estimated
        self.profiled = profiled
    }

    private enum CodingKeys: String, CodingKey { case measured, filled, flagged, estimated, profiled }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Shares stored before profiles existed have no profiled part.
        self.init(
            measured: try c.decode(Double.self, forKey: .measured), filled: try c.decode(Double.self, forKey: .filled),
            flagged: try c.decode(Double.self, forKey: .flagged), estimated: try c.decode(Double.self, forKey: .estimated),
            profiled: try c.decodeIfPresent(Double.self, forKey: .profiled) ?? 0)
    }

    /// Shares of `total` given the parts of it that are filled, flagged and profiled; the rest
    /// is measured. Zero total gives ``zero``.
    public static func of(total: Double, filled: Double, flagged: Double, profiled: Double = 0) -> QualityShares {
        guard total != 0 else { return .zero }
        let f = filled / total
        let g = flagged / total
        let p = profiled / total
        return QualityShares(measured: 1 - f - g - p, filled: f, flagged: g, estimated: 0, profiled: p)
    }

    /// Shares of a series' total amount by the quality of each hour.
    public static func of(_ series: [QualifiedAmount]) -> QualityShares {
        var total = 0.0, filled = 0.0, flagged = 0.0, profiled = 0.0
        for entry in series {
            total += entry.amount
            switch entry.quality {
            case .measured: break
            case .filled: filled += entry.amount
            case .flagged: flagged += entry.amount
            case .profiled: profiled += entry.amount
            }
        }
        return of(total: total, filled: filled, flagged: flagged, profiled: profiled)
    }
}
