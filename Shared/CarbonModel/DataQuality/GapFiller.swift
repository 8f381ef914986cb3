/// Fills gaps of a metered hourly series by linear interpolation.
///
/// A *gap* is a run of hours with no reading strictly between two hours that have one, in the
/// same series (same site and meter kind), at most `maxGapHours` long. Hours before the first
/// or after the last reading are not gaps (nothing is extrapolated), and a longer run is left
/// empty: it is more likely a meter taken out of service than a lost reading. A reading of 0
/// is a reading, not a gap.
///
/// For a gap between readings `(h₀, v₀)` and `(h₁, v₁)`, the hour `h` gets
/// `v₀ + (v₁ − v₀) × (h − h₀) / (h₁ − h₀)`.
public enum GapFiller {
    /// The default longest gap filled: one day.
    public static let defaultMaxGapHours = 24

    /// `readings` in any order (one per hour; a duplicate hour keeps the later entry). Returns
    /// the readings, each `measured`, with the filled hours (`filled`) in between, sorted.
    public static func fill(_ readings: [HourlyAmount], maxGapHours: Int = defaultMaxGapHours) -> [QualifiedAmount] {
        var byHour: [Int64: Double] = [:]
        for reading in readings { byHour[reading.hour] = reading.amount }
        let sorted = byHour.sorted { $0.key < $1.key }
        var out: [QualifiedAmount] = []
        out.reserveCapacity(sorted.count)
        for (index, reading) in sorted.enumerated() {
            if index > 0 {
                let (h0, v0) = sorted[index - 1]
                let missing = (reading.key - h0) / 3600 - 1
                if missing > 0 && missing <= Int64(maxGapHours) {
                    let span = Double(reading.key - h0)
                    var hour = h0 + 3600
                    while hour < reading.key {
                        let value = v0 + (reading.value - v0) * Double(hour - h0) / span
                        out.append(QualifiedAmount(hour: hour, amount: value, quality: .filled))
                        hour += 3600
                    }
                }
            }
            out.append(QualifiedAmount(hour: reading.key, amount: reading.value, quality: .measured))
        }
        return out
    }
}
