import CarbonModel
import Foundation

/// A tenant's emissions over a period by the values of one tag key. Tenant cells that have
/// parts for the key contribute their parts; cells whose usage never carried the key count
/// wholly as ``TagBreakdown/untagged``. So the values always add up to the tenant's total.
struct TagBreakdownReport: Sendable {
    /// A tenant cell (value ``TagBreakdown/untagged``) or one of its tag parts.
    struct Cell: Sendable {
        var region: String
        var month: String
        var product: String
        var value: String
        var usage: Double
        var figures: EmissionFigures
    }

    /// One value's sum, over the period or within one month. Usage is left out: the cells of
    /// different products count it in different units.
    struct Line: Encodable, Sendable {
        var month: String?
        var value: String
        var figures: EmissionFigures
    }

    var tenantCells: [Cell]
    var parts: [Cell]

    /// The cells the sums are made of: every part, and the tenant cells without parts.
    private var contributions: [Cell] {
        struct Place: Hashable {
            var region: String
            var month: String
            var product: String
        }
        let split = Set(parts.map { Place(region: $0.region, month: $0.month, product: $0.product) })
        return parts + tenantCells.filter { !split.contains(Place(region: $0.region, month: $0.month, product: $0.product)) }
    }

    /// Sums per value over the period, sorted by value with the untagged part last.
    var values: [Line] { lines(byMonth: false) }

    /// Sums per month and value.
    var months: [Line] { lines(byMonth: true) }

    /// The tenant's total over the period (the sum of its cells).
    var total: EmissionFigures { tenantCells.reduce(.zero) { $0 + $1.figures } }

    private func lines(byMonth: Bool) -> [Line] {
        var sums: [String: [String: EmissionFigures]] = [:]
        // Sorted so the floating-point sums do not depend on row order.
        for cell in contributions.sorted(by: { ($0.month, $0.region, $0.product, $0.value) < ($1.month, $1.region, $1.product, $1.value) }) {
            let month = byMonth ? cell.month : ""
            sums[month, default: [:]][cell.value, default: .zero] += cell.figures
        }
        func order(_ a: String, _ b: String) -> Bool {
            (a == TagBreakdown.untagged ? 1 : 0, a) < (b == TagBreakdown.untagged ? 1 : 0, b)
        }
        return sums.keys.sorted().flatMap { month in
            (sums[month] ?? [:]).keys.sorted(by: order).compactMap { value in
                sums[month]?[value].map { Line(month: byMonth ? month : nil, value: value, figures: $0) }
            }
        }
    }
}
