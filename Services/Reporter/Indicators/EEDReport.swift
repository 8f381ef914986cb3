import CarbonModel
import Foundation
import GRDB
import ServiceKit

/// A site's yearly report for the EU data-centre reporting scheme (the Energy Efficiency
/// Directive's delegated regulation on data centres, docs/model.md §21): each field the suite
/// can know with its value, unit and where it comes from, and the fields only the operator
/// can give marked `operator_must_provide`, so the report is complete on its face about what is
/// still missing. The same store gives the same bytes.
struct EEDReport: Codable, Sendable {
    /// One field of the report. `value` is a number or a text; absent when not known.
    struct Field: Codable, Sendable {
        var key: String
        var label: String
        var number: Double?
        var text: String?
        var unit: String
        /// `measured` (summed from records), `declared` (a site attribute), `computed` (an
        /// indicator from measured sums), `not_measured` (the suite could know it but was sent
        /// nothing), or `operator_must_provide` (outside what the suite holds).
        var source: String
        var note: String?
    }

    var site: String
    var region: String
    var year: Int
    var period: String
    var months: [String]
    var missingMonths: [String]
    var fields: [Field]
    var flags: [SiteIndicators.Flag]

    private enum CodingKeys: String, CodingKey {
        case site, region, year, period, months
        case missingMonths = "missing_months"
        case fields, flags
    }

    /// The report of `site` for `year`, or nil when the site has no data that year.
    static func build(_ db: Database, site: String, year: Int) throws -> EEDReport? {
        let period = (1...12).map { CalendarMonth(year: year, month: $0) }
        // One site's region, not every site's.
        guard let region = try SiteMeasureStore.region(of: site).fetchOne(db) else { return nil }
        let months = try SiteMeasureStore.months(db, site: site, from: period[0], to: period[11])
        guard let latest = months.last else { return nil }
        let k = SiteIndicators.compute(period: period, data: months)
        let i = k.inputs
        let attributes = latest.measures
        let gap = k.missingMonths.isEmpty ? nil : "no data for \(k.missingMonths.joined(separator: ", ")): the sums cover the other months"

        func measured(_ key: String, _ label: String, _ value: Double?, _ unit: String, note: String? = nil) -> Field {
            Field(key: key, label: label, number: value, unit: unit, source: value == nil ? "not_measured" : "measured", note: note ?? gap)
        }
        func declared(_ key: String, _ label: String, _ value: Double?, _ unit: String, field: String) -> Field {
            Field(
                key: key, label: label, number: value, unit: unit, source: value == nil ? "operator_must_provide" : "declared",
                note: value == nil ? "declare it on the site (`\(field)`) or add it by hand" : "as declared on the site for \(latest.month)")
        }
        func computed(_ key: String, _ label: String, _ indicator: SiteIndicators.Indicator, scale: Double = 1) -> Field {
            Field(
                key: key, label: label, number: indicator.value.map { $0 * scale }, unit: scale == 100 ? "%" : indicator.unit,
                source: indicator.value == nil ? "not_measured" : "computed",
                note: indicator.reason ?? (indicator.months.count < 12 ? "over \(indicator.months.count) months" : nil))
        }
        func operatorProvides(_ key: String, _ label: String, _ unit: String) -> Field {
            Field(key: key, label: label, unit: unit, source: "operator_must_provide", note: "not held by the suite; add it by hand")
        }
        let fields: [Field] = [
            operatorProvides("name", "Name of the data centre", ""),
            operatorProvides("owner_and_operator", "Owner and operator", ""),
            operatorProvides("location", "Location (address, country)", ""),
            operatorProvides("commencement", "Date operations began", ""),
            Field(
                key: "tier", label: "Tier or availability class", text: attributes.tier, unit: "",
                source: attributes.tier == nil ? "operator_must_provide" : "declared", note: attributes.tier == nil ? "declare it on the site (`tier`) or add it by hand" : nil),
            declared("installed_it_power", "Installed IT power demand", attributes.itPowerKW, "kW", field: "it_power_kw"),
            declared("floor_area", "Total floor area", attributes.floorAreaM2, "m2", field: "floor_area_m2"),
            operatorProvides("computer_room_floor_area", "Computer room floor area", "m2"),
            measured("total_energy", "Total energy consumption", i.facilityKWh, "kWh"),
            measured("it_energy", "Energy consumption of the IT equipment", i.itKWh, "kWh"),
            measured("onsite_renewable_energy", "Renewable energy generated and consumed on site", i.onsiteRenewableKWh, "kWh"),
            measured("renewable_certificates", "Renewable energy from guarantees of origin and PPAs (applied to the site)", i.certificatesKWh, "kWh"),
            measured("total_water_input", "Total water input", i.waterWithdrawalL.map { $0 / 1_000 }, "m3"),
            measured("potable_water_input", "Potable water input", i.waterWithdrawalL == nil ? nil : (i.potableWaterL ?? 0) / 1_000, "m3",
                note: "withdrawal records with water_source potable"),
            measured("water_discharge", "Water discharged", i.waterDischargeL.map { $0 / 1_000 }, "m3"),
            measured("waste_heat_reused", "Waste heat reused", i.heatReuseKWh, "kWh"),
            computed("pue", "Power usage effectiveness (PUE)", k.pue),
            computed("wue", "Water usage effectiveness (WUE)", k.wue),
            computed("erf", "Energy reuse factor (ERF)", k.erf),
            computed("ref", "Renewable energy factor (REF)", k.ref),
            operatorProvides("waste_heat_temperature", "Average waste heat temperature", "°C"),
            operatorProvides("set_point_temperatures", "Set point temperatures of the IT rooms", "°C"),
            operatorProvides("traffic_bandwidth", "Incoming and outgoing traffic bandwidth", "Gbit/s"),
            operatorProvides("data_traffic", "Data traffic (incoming and outgoing)", "EB"),
            operatorProvides("storage_capacity", "Data storage capacity", "PB"),
        ]
        return EEDReport(
            site: site, region: region, year: year, period: "\(year)-01-01/\(year + 1)-01-01", months: k.months, missingMonths: k.missingMonths,
            fields: fields, flags: k.flags)
    }

    /// One line per field: key, label, value, unit, source, note. Names and notes are text
    /// cells, neutralized where a spreadsheet could run them.
    func csv() -> Data {
        var lines = ["site,year,key,label,value,unit,source,note"]
        for field in fields {
            let value: CSVCell = field.number.map(CSVCell.number) ?? field.text.map(CSVCell.text) ?? .empty
            lines.append(
                CSVCell.line([
                    .text(site), .text("\(year)"), .text(field.key), .text(field.label), value, .text(field.unit), .text(field.source),
                    .text(field.note ?? ""),
                ]))
        }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }
}
