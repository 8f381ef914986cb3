/// The span a report covers: one calendar month (`2024-01`), a quarter (`2024-Q1`) or a
/// year (`2024`), as the inclusive range of months it holds.
public struct ReportPeriod: Sendable, Hashable, CustomStringConvertible {
    /// The grain of the period; it decides what "the period before" means.
    public enum Kind: String, Sendable, Hashable {
        case month, quarter, year
    }

    public var kind: Kind
    public var first: CalendarMonth
    public var last: CalendarMonth

    public init(kind: Kind, first: CalendarMonth, last: CalendarMonth) {
        self.kind = kind
        self.first = first
        self.last = last
    }

    /// Parses `YYYY-MM`, `YYYY-Qn` (n = 1…4) or `YYYY`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let yearText = parts.first, yearText.count == 4, let year = Int(yearText), year >= 1 else { return nil }
        switch parts.count {
        case 1:
            self.init(kind: .year, first: CalendarMonth(year: year, month: 1), last: CalendarMonth(year: year, month: 12))
        case 2 where parts[1].hasPrefix("Q") || parts[1].hasPrefix("q"):
            guard parts[1].count == 2, let quarter = Int(parts[1].dropFirst()), (1...4).contains(quarter) else { return nil }
            let first = CalendarMonth(year: year, month: (quarter - 1) * 3 + 1)
            self.init(kind: .quarter, first: first, last: first.adding(months: 2))
        case 2:
            guard let month = CalendarMonth(text) else { return nil }
            self.init(kind: .month, first: month, last: month)
        default:
            return nil
        }
    }

    /// Every month of the period, in order.
    public var months: [CalendarMonth] {
        var result: [CalendarMonth] = []
        var month = first
        while month <= last {
            result.append(month)
            month = month.next
        }
        return result
    }

    /// The period of the same kind just before this one (2024-Q1 → 2023-Q4).
    public var previous: ReportPeriod {
        let count = months.count
        return ReportPeriod(kind: kind, first: first.adding(months: -count), last: last.adding(months: -count))
    }

    /// The same period one year earlier (2024-Q1 → 2023-Q1).
    public var yearBefore: ReportPeriod {
        ReportPeriod(kind: kind, first: first.adding(months: -12), last: last.adding(months: -12))
    }

    public var description: String {
        switch kind {
        case .month: return first.description
        case .quarter: return "\(first.year)-Q\((first.month - 1) / 3 + 1)"
        case .year: return "\(first.year)"
        }
    }
}
