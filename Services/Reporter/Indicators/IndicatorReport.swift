import CarbonModel
import Foundation
import GRDB
import ServiceKit

/// The answer of `GET /v1/indicators`: per site, its indicators in each period of the window.
struct IndicatorReport: Codable, Sendable {
    struct SitePeriods: Codable, Sendable {
        var site: String
        var region: String
        var periods: [Period]
    }

    /// One period of one site: its label (`2024-03`, `2024-Q1`, `2024`) and the indicators.
    struct Period: Codable, Sendable {
        var period: String
        var indicators: SiteIndicators

        func encode(to encoder: any Encoder) throws {
            // The period's label beside the indicators' own fields, one flat object per period.
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(period, forKey: Key("period"))
            try indicators.encode(to: encoder)
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ string: String) { stringValue = string }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
    }

    var granularity: String
    var sites: [SitePeriods]

    /// The report for one site (or every site with data) over `periods`.
    static func build(
        _ db: Database, site: String?, periods: [(label: String, months: [CalendarMonth])], granularity: ReportPeriod.Kind
    ) throws -> IndicatorReport {
        guard let first = periods.first?.months.first, let last = periods.last?.months.last else {
            return IndicatorReport(granularity: granularity.rawValue, sites: [])
        }
        var sites: [SitePeriods] = []
        for entry in try SiteMeasureStore.sites(db) where site == nil || entry.site == site {
            let months = try SiteMeasureStore.months(db, site: entry.site, from: first, to: last)
            sites.append(
                SitePeriods(
                    site: entry.site, region: entry.region,
                    periods: periods.map { Period(period: $0.label, indicators: SiteIndicators.compute(period: $0.months, data: months)) }))
        }
        return IndicatorReport(granularity: granularity.rawValue, sites: sites)
    }
}

/// `GET /v1/indicators?format=csv`: one line per site and period; an indicator that could not
/// be computed has an empty value and its status (`not_measured`) in the next column.
enum IndicatorCSV {
    static let indicators = ["pue", "ref", "erf", "wue", "cer", "cue_location", "cue_market"]

    static func render(_ report: IndicatorReport) -> Data {
        var header = ["site", "region", "period", "months", "missing_months"]
        for name in indicators { header += [name, "\(name)_status"] }
        header += [
            "facility_kwh", "it_kwh", "renewable_kwh", "heat_reuse_kwh", "cooling_kwh", "water_withdrawal_l", "water_discharge_l",
            "water_consumed_l", "emissions_location_kgco2e", "emissions_market_kgco2e", "flags",
        ]
        var lines = [header.joined(separator: ",")]
        func optional(_ value: Double?) -> CSVCell { value.map(CSVCell.number) ?? .empty }
        for site in report.sites {
            for period in site.periods {
                let k = period.indicators
                var cells: [CSVCell] = [
                    .text(site.site), .text(site.region), .text(period.period), .text("\(k.months.count)"),
                    .text(k.missingMonths.joined(separator: " ")),
                ]
                for indicator in [k.pue, k.ref, k.erf, k.wue, k.cer, k.cueLocation, k.cueMarket] {
                    cells += [optional(indicator.value), .text(indicator.status.rawValue)]
                }
                let i = k.inputs
                cells += [
                    .number(i.facilityKWh), optional(i.itKWh), .number(i.renewableKWh), optional(i.heatReuseKWh), optional(i.coolingKWh),
                    optional(i.waterWithdrawalL), optional(i.waterDischargeL), optional(i.waterConsumedL), .number(i.emissionsLocationKg),
                    .number(i.emissionsMarketKg), .text(k.flags.map { "\($0.month) \($0.code)" }.joined(separator: "; ")),
                ]
                lines.append(CSVCell.line(cells))
            }
        }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }
}
