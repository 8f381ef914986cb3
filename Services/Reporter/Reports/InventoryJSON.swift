import CarbonModel
import Foundation

/// Renders an `InventoryReport` as JSON: sorted keys, lines in the ledger's sorted order, and
/// nothing that depends on when it was generated, so the same request gives the same bytes.
enum InventoryJSON {
    static func render(_ report: InventoryReport) -> Data {
        let sections: [[String: Any]] = report.sections.map { section in
            var object: [String: Any] = [
                "mode": section.mode.rawValue,
                "totals": figures(section.totals),
                "by_month": section.byMonth.map { line("month", $0) },
                "by_product": section.byProduct.map { line("product", $0) },
                "by_region": section.byRegion.map { line("region", $0) },
                "iso_14064_1": report.isoCategories(section).map {
                    ["category": $0.category, "description": $0.description, "location_based": $0.location, "market_based": $0.market] as [String: Any]
                },
            ]
            if let unallocated = section.unallocated { object["unallocated"] = figures(unallocated) }
            if !section.byTag.isEmpty {
                object["by_tag"] = Dictionary(uniqueKeysWithValues: section.byTag.map { tag in (tag.key, tag.lines.map { line("value", $0) }) })
            }
            object["data_quality"] = EmissionsTable.qualityObject(section.quality)
            return object
        }
        let envelope: [String: Any] = [
            "report": "ghg_inventory",
            "period": report.period.description,
            "from": report.period.first.description,
            "to": report.period.last.description,
            "subject": subject(report.subject),
            "unit": "kgCO2e",
            "sections": sections,
            "factors": report.factors.map(factor),
            "methodology": InventoryReport.methodology,
        ]
        return (try? JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
    }

    static func subject(_ subject: InventoryReport.Subject) -> [String: Any] {
        switch subject {
        case .tenant(let name): return ["kind": "tenant", "tenant": name]
        case .provider: return ["kind": "provider"]
        }
    }

    static func figures(_ f: EmissionFigures) -> [String: Any] {
        [
            "scope1": f.scope1, "scope2_location": f.scope2Location, "scope2_market": f.scope2Market, "scope3": f.scope3,
            "total_location": f.totalLocation, "total_market": f.totalMarket, "energy_kwh": f.energyKWh,
        ]
    }

    private static func line(_ name: String, _ line: InventoryReport.Line) -> [String: Any] {
        var object = figures(line.figures)
        object[name] = line.key
        if let quality = line.quality { object["quality"] = EmissionsTable.qualityObject(quality) }
        return object
    }

    static func factor(_ f: ReportFactor) -> [String: Any] {
        var object: [String: Any] = [
            "factor": f.factor, "version": f.version, "value": f.value, "regions": f.regions, "first_month": f.firstMonth,
            "last_month": f.lastMonth,
        ]
        if let unit = f.unit { object["unit"] = unit }
        if let activity = f.activity { object["activity"] = activity }
        if let source = f.source { object["source"] = source }
        return object
    }
}

/// Renders an `InventoryReport` as one CSV table: `section` says what a line is (total,
/// month, product, region, unallocated, iso_14064_1, factor); figures in kg CO2e. Names and
/// factor texts are text cells (`CSVCell`), neutralized where they could run as formulas.
enum InventoryCSV {
    static func render(_ report: InventoryReport) -> Data {
        var lines = [
            "period,subject,section,mode,key,scope1,scope2_location,scope2_market,scope3,total_location,total_market,energy_kwh,factor_version,factor_value,factor_source,factor_unit,quality_measured,quality_filled,quality_flagged,quality_estimated"
        ]
        let head: [CSVCell] = [.text(report.period.description), .text(report.subject.label)]
        let noFactor = [CSVCell](repeating: .empty, count: 4)
        func add(_ section: String, _ mode: String, _ key: String, _ f: EmissionFigures, _ q: QualityShares? = nil) {
            let numbers = [f.scope1, f.scope2Location, f.scope2Market, f.scope3, f.totalLocation, f.totalMarket, f.energyKWh].map(CSVCell.number)
            let quality = q.map { [$0.measured, $0.filled, $0.flagged, $0.estimated].map(CSVCell.number) } ?? noFactor
            lines.append(CSVCell.line(head + [.text(section), .text(mode), .text(key)] + numbers + noFactor + quality))
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
                lines.append(CSVCell.line(head + [.text("iso_14064_1"), .text(mode), key] + figures + noFactor + noFactor))
            }
        }
        for f in report.factors {
            let factor: [CSVCell] = [.text(f.version), .number(f.value), .text(f.source ?? ""), .text(f.unit ?? "")]
            lines.append(CSVCell.line(head + [.text("factor"), .empty, .text(f.factor)] + Array(repeating: .empty, count: 7) + factor + noFactor))
        }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }
}
