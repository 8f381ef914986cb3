/// What crossed a monthly budget: the month's actual emissions, or its forecast.
public enum BudgetCrossingKind: String, Sendable, Hashable, Codable, CaseIterable {
    case actual, forecast
}

/// A budget crossing: a month whose actual or forecast emissions exceed the budget.
public struct BudgetCrossing: Sendable, Hashable {
    public var month: CalendarMonth
    public var kind: BudgetCrossingKind
    public var value: Double
    public var budget: Double
}

/// Decides which months cross a budget. A crossing is identified by (month, kind): the
/// reporter stores it under that key, so evaluating again never raises a second alert.
public enum BudgetCheck {
    /// Crossings where `actual[m] > budget` or `forecast[m] > budget` (strictly above), in
    /// month order, actual before forecast.
    public static func crossings(budget: Double, actual: [CalendarMonth: Double], forecast: [CalendarMonth: Double]) -> [BudgetCrossing] {
        var found: [BudgetCrossing] = []
        for month in Set(actual.keys).union(forecast.keys).sorted() {
            if let value = actual[month], value > budget {
                found.append(BudgetCrossing(month: month, kind: .actual, value: value, budget: budget))
            }
            if let value = forecast[month], value > budget {
                found.append(BudgetCrossing(month: month, kind: .forecast, value: value, budget: budget))
            }
        }
        return found
    }
}

/// A reduction target's progress: baseline-year emissions, the target level, and whether a
/// year is on the straight-line path from the baseline to the target.
public struct TargetProgress: Sendable, Hashable {
    public var baselineYear: Int
    public var baseline: Double
    public var targetYear: Int
    public var reductionPercent: Double
    /// baseline × (1 − reductionPercent ÷ 100).
    public var targetEmissions: Double
    public var year: Int
    public var emissions: Double
    /// (baseline − emissions) ÷ baseline × 100; nil when the baseline is 0.
    public var reducedPercent: Double?
    /// Share of the required reduction achieved: (baseline − emissions) ÷ (baseline − target) × 100.
    public var progressPercent: Double?
    /// The straight-line path's level for `year`: baseline − (baseline − target) × (year − baselineYear) ÷ (targetYear − baselineYear).
    public var pathEmissions: Double
    public var onTrack: Bool

    public static func evaluate(
        baselineYear: Int, baseline: Double, targetYear: Int, reductionPercent: Double, year: Int, emissions: Double
    ) -> TargetProgress {
        let target = baseline * (1 - reductionPercent / 100)
        let span = Double(max(1, targetYear - baselineYear))
        let elapsed = Double(min(max(0, year - baselineYear), targetYear - baselineYear))
        let path = baseline - (baseline - target) * elapsed / span
        return TargetProgress(
            baselineYear: baselineYear, baseline: baseline, targetYear: targetYear, reductionPercent: reductionPercent,
            targetEmissions: target, year: year, emissions: emissions,
            reducedPercent: baseline == 0 ? nil : (baseline - emissions) / baseline * 100,
            progressPercent: baseline == target ? nil : (baseline - emissions) / (baseline - target) * 100,
            pathEmissions: path, onTrack: emissions <= path)
    }
}
