import CarbonModel
import Testing

/// Gap filling, outlier flagging and quality shares, against hand-computed cases.
struct DataQualityTests {
    static let h0: Int64 = 1_704_067_200  // 2024-01-01T00:00:00Z

    static func hour(_ i: Int64) -> Int64 { h0 + i * 3600 }

    @Test func gapBetweenTwoReadingsIsInterpolatedLinearly() {
        // Readings 10 at h0 and 40 at h3; h1 and h2 are missing.
        // h1 = 10 + (40 − 10) × 1/3 = 20; h2 = 10 + 30 × 2/3 = 30.
        let out = GapFiller.fill([HourlyAmount(hour: Self.hour(3), amount: 40), HourlyAmount(hour: Self.hour(0), amount: 10)])
        #expect(out == [
            QualifiedAmount(hour: Self.hour(0), amount: 10, quality: .measured),
            QualifiedAmount(hour: Self.hour(1), amount: 20, quality: .filled),
            QualifiedAmount(hour: Self.hour(2), amount: 30, quality: .filled),
            QualifiedAmount(hour: Self.hour(3), amount: 40, quality: .measured),
        ])
        // Total 10 + 20 + 30 + 40 = 100, of which 20 + 30 = 50 filled: shares 0.5 / 0.5.
        #expect(QualityShares.of(out) == QualityShares(measured: 0.5, filled: 0.5, flagged: 0, estimated: 0))
    }

    @Test func noExtrapolationAndLongGapsStayEmpty() {
        // A 3-hour gap with maxGapHours 2 is not filled; nothing before the first reading.
        let out = GapFiller.fill([HourlyAmount(hour: Self.hour(1), amount: 5), HourlyAmount(hour: Self.hour(5), amount: 5)], maxGapHours: 2)
        #expect(out.map(\.quality) == [.measured, .measured])
        // Consecutive hours: no gap.
        let dense = GapFiller.fill([HourlyAmount(hour: Self.hour(0), amount: 1), HourlyAmount(hour: Self.hour(1), amount: 0)])
        #expect(dense.allSatisfy { $0.quality == .measured } && dense.count == 2)
    }

    @Test func medianAndRobustZ() {
        #expect(OutlierDetector.median([4, 1, 3, 2]) == 2.5)
        #expect(OutlierDetector.median([3, 1, 2]) == 2)
        // Window 10,11,10,12,10,100,11,10,12,10,11: sorted 10×5, 11×3, 12×2, 100 → median 11.
        // |x − 11|: 1,0,1,1,1,89,0,1,1,1,0 → sorted 0,0,0,1×7,89 → MAD 1.
        // z(100) = 89 / (1.4826 × 1) = 60.03; z(12) = 1 / 1.4826 = 0.6745.
        let window: [Double] = [10, 11, 10, 12, 10, 100, 11, 10, 12, 10, 11]
        #expect(abs(OutlierDetector.robustZ(100, window: window) - 89 / 1.4826) < 1e-12)
        #expect(abs(OutlierDetector.robustZ(12, window: window) - 1 / 1.4826) < 1e-12)
    }

    @Test func injectedSpikeIsFlaggedAndThresholdIsConfigurable() {
        let values: [Double] = [10, 11, 10, 12, 10, 100, 11, 10, 12, 10, 11]
        let flags = OutlierDetector.flags(values)
        #expect(flags == values.map { $0 == 100 })
        // z(100) = 60.03: a threshold of 100 lets it through.
        #expect(OutlierDetector.flags(values, policy: OutlierPolicy(threshold: 100, halfWindow: 12)).allSatisfy { !$0 })
        // MAD 0 (flat meter): the one value off the median is flagged.
        #expect(OutlierDetector.flags([5, 5, 5, 6, 5]) == [false, false, false, true, false])
    }

    @Test func hampelWindowIsLocal() {
        // A level shift from 10 to 50 is not an outlier for a window of 1 either side where both
        // neighbours agree: at index 4 (50) the window is 50,50,50 → z = 0. A lone 50 amid 10s is.
        let shifted: [Double] = [10, 10, 10, 50, 50, 50, 50]
        let flags = OutlierDetector.flags(shifted, policy: OutlierPolicy(threshold: 3.5, halfWindow: 1))
        #expect(flags[4] == false && flags[5] == false)
        #expect(OutlierDetector.flags([10, 10, 50, 10, 10], policy: OutlierPolicy(threshold: 3.5, halfWindow: 1))[2] == true)
    }

    @Test func seriesWithGapAndSpikeHasMatchingShares() {
        // Hours 0..7: 10, 10, (gap), 10, 10, 100, 10, 10. The gap is filled with
        // 10 + (10 − 10) × 1/2 = 10; the readings 10×6 and 100 have median 10 and MAD 0, so
        // 100 is flagged. Total 7 × 10 + 100 = 170: filled 10/170, flagged 100/170, measured 60/170.
        let readings = [0, 1, 3, 4, 5, 6, 7].map { HourlyAmount(hour: Self.hour(Int64($0)), amount: $0 == 5 ? 100 : 10) }
        let out = MeterSeriesQuality.assess(readings)
        #expect(out.count == 8)
        #expect(out[2] == QualifiedAmount(hour: Self.hour(2), amount: 10, quality: .filled))
        #expect(out[5].quality == .flagged && out[5].amount == 100)
        #expect(out.filter { $0.quality == .measured }.count == 6)
        let shares = QualityShares.of(out)
        #expect(abs(shares.filled - 10.0 / 170) < 1e-12)
        #expect(abs(shares.flagged - 100.0 / 170) < 1e-12)
        #expect(abs(shares.measured - 60.0 / 170) < 1e-12)
        #expect(QualityShares.of([]) == .zero)
    }
}
