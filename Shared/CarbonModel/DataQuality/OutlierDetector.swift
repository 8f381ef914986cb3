/// The Hampel test over plain values (the method and its defaults: ``OutlierPolicy``).
public enum OutlierDetector {
    /// MAD → σ for normally distributed data: 1 / Φ⁻¹(3/4).
    public static let madScale = 1.4826

    /// For each value, whether it is an outlier.
    public static func flags(_ values: [Double], policy: OutlierPolicy = .default) -> [Bool] {
        var out = [Bool](repeating: false, count: values.count)
        guard values.count >= 3 else { return out }
        for index in values.indices {
            let window = Array(values[max(0, index - policy.halfWindow)...min(values.count - 1, index + policy.halfWindow)])
            out[index] = robustZ(values[index], window: window, minimumRelativeMAD: policy.minimumRelativeMAD) > policy.threshold
        }
        return out
    }

    /// `|x − median| / (1.4826 × max(MAD, minimumRelativeMAD × |median|))` over `window`;
    /// infinity when that is 0 and x is off the median, 0 when x is the median.
    public static func robustZ(_ value: Double, window: [Double], minimumRelativeMAD: Double = 0) -> Double {
        let center = median(window)
        let deviation = abs(value - center)
        let mad = max(median(window.map { abs($0 - center) }), minimumRelativeMAD * abs(center))
        if mad == 0 { return deviation == 0 ? 0 : .infinity }
        return deviation / (madScale * mad)
    }

    /// The median (mean of the two middle values for an even count); 0 for no values.
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
