import CarbonModel
import Foundation
import ServiceKit

/// Renders an `InventoryReport` as JSON: sorted keys, lines in the ledger's sorted order, and
/// nothing that depends on when it was generated, so the same request gives the same bytes.
enum InventoryJSON {
    /// Throws when a figure has no JSON form (a non-finite number), rather than writing `{}`.
    static func render(_ report: InventoryReport) throws -> Data {
        let sections: [JSONValue] = report.sections.map { section in
            var object: [String: JSONValue] = [
                "mode": .string(section.mode.rawValue),
                "totals": .object(figures(section.totals)),
                "by_month": .array(section.byMonth.map { line("month", $0) }),
                "by_product": .array(section.byProduct.map { line("product", $0) }),
                "by_region": .array(section.byRegion.map { line("region", $0) }),
                "iso_14064_1": .array(
                    report.isoCategories(section).map {
                        .object([
                            "category": .string($0.category), "description": .string($0.description), "location_based": .number($0.location),
                            "market_based": .number($0.market),
                        ])
                    }),
            ]
            if let unallocated = section.unallocated { object["unallocated"] = .object(figures(unallocated)) }
            if !section.byTag.isEmpty {
                object["by_tag"] = .object(Dictionary(uniqueKeysWithValues: section.byTag.map { tag in (tag.key, .array(tag.lines.map { line("value", $0) })) }))
            }
            object["data_quality"] = EmissionsTable.qualityObject(section.quality)
            return .object(object)
        }
        let envelope: [String: JSONValue] = [
            "report": .string("ghg_inventory"),
            "period": .string(report.period.description),
            "from": .string(report.period.first.description),
            "to": .string(report.period.last.description),
            "subject": subject(report.subject),
            "unit": .string("kgCO2e"),
            "sections": .array(sections),
            "factors": .array(report.factors.map(factor)),
            "methodology": .array(InventoryReport.methodology.map { .string($0) }),
        ]
        return try JSONValue.object(envelope).encoded()
    }

    static func subject(_ subject: InventoryReport.Subject) -> JSONValue {
        switch subject {
        case .tenant(let name): return .object(["kind": .string("tenant"), "tenant": .string(name)])
        case .provider: return .object(["kind": .string("provider")])
        }
    }

    static func figures(_ f: EmissionFigures) -> [String: JSONValue] { EmissionsTable.figuresObject(f) }

    private static func line(_ name: String, _ line: InventoryReport.Line) -> JSONValue {
        var object = figures(line.figures)
        object[name] = .string(line.key)
        if let quality = line.quality { object["quality"] = EmissionsTable.qualityObject(quality) }
        return .object(object)
    }

    static func factor(_ f: ReportFactor) -> JSONValue {
        var object: [String: JSONValue] = [
            "factor": .string(f.factor), "version": .string(f.version), "value": .number(f.value), "regions": .array(f.regions.map { .string($0) }),
            "first_month": .string(f.firstMonth), "last_month": .string(f.lastMonth),
        ]
        if let unit = f.unit { object["unit"] = .string(unit) }
        if let activity = f.activity { object["activity"] = .string(activity) }
        if let source = f.source { object["source"] = .string(source) }
        return .object(object)
    }
}

/// Renders an `InventoryReport` as one CSV table: `section` says what a line is (total,
/// month, product, region, unallocated, iso_14064_1, factor); figures in kg CO2e. Names and
/// factor texts are text cells (`CSVCell`), neutralized where they could run as formulas.
enum InventoryCSV {
    static func render(_ report: InventoryReport) -> Data {
        var lines = [
            "period,subject,section,mode,key,scope1,scope2_location,scope2_market,scope3,total_location,total_market,energy_kwh,factor_version,factor_value,factor_source,factor_unit,quality_measured,quality_filled,quality_flagged,quality_estimated,scope2_market_hourly,total_market_hourly,cfe_kwh,quality_profiled,water_l"
        ]
        let head: [CSVCell] = [.text(report.period.description), .text(report.subject.label)]
        let noFactor = [CSVCell](repeating: .empty, count: 4)
        let noHourly = [CSVCell](repeating: .empty, count: 3)
        func add(_ section: String, _ mode: String, _ key: String, _ f: EmissionFigures, _ q: QualityShares? = nil) {
            let numbers = [f.scope1, f.scope2Location, f.scope2Market, f.scope3, f.totalLocation, f.totalMarket, f.energyKWh].map(CSVCell.number)
            let quality = q.map { [$0.measured, $0.filled, $0.flagged, $0.estimated].map(CSVCell.number) } ?? noFactor
            let hourly = [f.scope2MarketHourly, f.totalMarketHourly, f.cfeKWh].map(CSVCell.number)
            let profiled: [CSVCell] = [q.map { CSVCell.number($0.profiled) } ?? .empty]
            lines.append(CSVCell.line(head + [.text(section), .text(mode), .text(key)] + numbers + noFactor + quality + hourly + profiled + [.number(f.waterL)]))
        }
        for section in report.sections {
            let mode = section.mode.rawValue
            add("total", mode, "", section.totals, section.quality)
            if let unallocated = section.unallocated { add("unallocated", mode, "", unallocated) }
            for line in section.byMonth { add("month", mode, line.key, line.figures, line.quality) }
            for line in section.byProduct { add("product", mode, line.key, line.figures, line.quality) }
            for line in section.byRegion { add("region", mode, line.key, line.figures, line.quality) }
            for tag in section.byTag {
                for line in tag.lines { add("tag:\(tag.key)", mode, line.key, line.figures) }
            }
            for category in report.isoCategories(section) {
                // Location-based in the scope-2 column pair: total_location / total_market carry the category.
                let figures: [CSVCell] = [.empty, .empty, .empty, .empty, .number(category.location), .number(category.market), .empty]
                let key = CSVCell.text("\(category.category) \(category.description)")
                lines.append(CSVCell.line(head + [.text("iso_14064_1"), .text(mode), key] + figures + noFactor + noFactor + noHourly + [.empty, .empty]))
            }
        }
        for f in report.factors {
            let factor: [CSVCell] = [.text(f.version), .number(f.value), .text(f.source ?? ""), .text(f.unit ?? "")]
            lines.append(CSVCell.line(head + [.text("factor"), .empty, .text(f.factor)] + Array(repeating: .empty, count: 7) + factor + noFactor + noHourly + [.empty, .empty]))
        }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }
}
