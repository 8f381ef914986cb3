/// The typical shape of a quantity over a day (24 weights, one per UTC hour of the day) or a
/// week (168 weights, Monday 00:00 UTC first), used to spread a record that covers many hours
/// (a monthly meter reading, a certificate's volume) over its hours by shape instead of
/// evenly (docs/model.md §6).
///
/// Weights are relative: only their ratios matter. A profile travels inside the normalized
/// record it shapes (``text``), so a revision subtracts exactly what the earlier version added
/// even if the site's declared profile changed in between.
public struct LoadProfile: Sendable, Hashable {
    /// 24 or 168 finite, non-negative weights, not all zero.
    public let weights: [Double]

    /// Why a profile was refused, said in words a sender can act on.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Hours in a day and in a week: the two shapes a profile may have.
    public static let dailyLength = 24
    public static let weeklyLength = 168

    public init(weights: [Double]) throws(Invalid) {
        guard weights.count == Self.dailyLength || weights.count == Self.weeklyLength else {
            throw Invalid(description: "must have 24 weights (hours of the day, UTC) or 168 (hours of the week from Monday 00:00 UTC); got \(weights.count)")
        }
        for (index, weight) in weights.enumerated() {
            guard weight.isFinite else { throw Invalid(description: "weight \(index + 1) is not a finite number") }
            guard weight >= 0 else { throw Invalid(description: "weight \(index + 1) is negative (\(weight))") }
        }
        guard weights.contains(where: { $0 > 0 }) else { throw Invalid(description: "every weight is 0: nothing to spread by") }
        self.weights = weights
    }

    /// Parses weights separated by commas, semicolons or spaces (`"0,0,0,…,1.5,…"`).
    public init(parsing text: String) throws(Invalid) {
        let parts = text.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " || $0 == "\t" })
        var weights: [Double] = []
        weights.reserveCapacity(parts.count)
        for (index, part) in parts.enumerated() {
            guard let weight = Double(part) else {
                throw Invalid(description: "weight \(index + 1) (\"\(part.prefix(20))\") is not a number")
            }
            weights.append(weight)
        }
        try self.init(weights: weights)
    }

    /// The canonical text of the profile: the weights in Swift's shortest round-trip form,
    /// comma-separated. Equal profiles have equal texts.
    public var text: String { weights.map { "\($0)" }.joined(separator: ",") }

    /// The weight of the UTC hour starting at `hour` (epoch seconds).
    public func weight(at hour: Int64) -> Double {
        let hourIndex = TimeSplitter.floorDivide(hour, 3600)
        if weights.count == Self.dailyLength {
            return weights[Int(positiveModulo(hourIndex, 24))]
        }
        // 1970-01-01 was a Thursday: hour 0 of the epoch is hour 72 of its week (Monday first).
        return weights[Int(positiveModulo(hourIndex + 72, 168))]
    }

    private func positiveModulo(_ a: Int64, _ b: Int64) -> Int64 {
        let r = a % b
        return r < 0 ? r + b : r
    }
}
