/// The data-quality pass over one metered hourly series: outliers among the readings are
/// flagged (``OutlierDetector``), then gaps between readings are filled (``GapFiller``; a
/// flagged reading still bounds a gap, since flagged values are kept).
public enum MeterSeriesQuality {
    public static func assess(
        _ readings: [HourlyAmount], policy: OutlierPolicy = .default, maxGapHours: Int = GapFiller.defaultMaxGapHours
    ) -> [QualifiedAmount] {
        var filled = GapFiller.fill(readings, maxGapHours: maxGapHours)
        let measuredIndices = filled.indices.filter { filled[$0].quality == .measured }
        let flags = OutlierDetector.flags(measuredIndices.map { filled[$0].amount }, policy: policy)
        for (position, index) in measuredIndices.enumerated() where flags[position] {
            filled[index].quality = .flagged
        }
        return filled
    }
}
