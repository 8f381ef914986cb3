import CarbonModel
import Foundation

/// Writes out the lineage of a product-site, product or tenant cell (the calculator's
/// ``CellLineage``) for people: the formulas, each site's figures with the allocation keys and
/// weights, the capacity and usage behind the denominator, the tenant's share, and for an
/// estimated cell the CCF profiles and terms. Numbers keep ten significant digits, so the
/// arithmetic can be redone from what is printed.
enum CellLineageText {
    static func render(_ lineage: CellLineage) -> String {
        var out = ""
        let cell = [lineage.tenant.map { "tenant \($0)" }, lineage.product.map { "product \($0)" }, lineage.site.map { "site \($0)" }]
            .compactMap { $0 }.joined(separator: ", ")
        out += "\(lineage.layer) cell: \(cell), region \(lineage.region), \(lineage.month) (\(lineage.mode.rawValue))\n"
        if let figures = lineage.figures { out += "\n" + figuresBlock("Figures", figures) }

        if !lineage.formula.isEmpty {
            out += "\nFormulas\n"
            for key in lineage.formula.keys.sorted() { out += "  \(key) = \(lineage.formula[key] ?? "")\n" }
        }
        for site in lineage.sites {
            out += "\nSite \(site.lineage.site) (its own records and factors: carbonctl explain --site \(site.lineage.site) --month \(lineage.month))\n"
            out += indent(figuresBlock("site figures", site.figures))
            if site.weights.isEmpty {
                out += "  no product has IT energy here: the shared figures stay unallocated\n"
            } else {
                out += "  IT energy records (the weights' keys)\n"
                for record in site.it { out += "    " + keyRecord(record) + "\n" }
                out += "  weights w(p,s) = it(p,s) / Σ it\n"
                for product in site.weights.keys.sorted() { out += "    \(product): \(number(site.weights[product] ?? 0))\n" }
            }
            if !site.embodied.isEmpty {
                out += "  embodied hardware records\n"
                for record in site.embodied { out += "    " + keyRecord(record) + "\n" }
            }
            for product in site.products.keys.sorted() where lineage.product == nil || product == lineage.product {
                out += indent(figuresBlock("E(\(product), \(site.lineage.site))", site.products[product] ?? .zero))
            }
        }
        if !lineage.capacity.isEmpty {
            out += "\nCapacity records\n"
            for record in lineage.capacity { out += "  " + keyRecord(record) + "\n" }
        }
        if !lineage.usage.isEmpty {
            let total = lineage.usage.reduce(0) { $0 + $1.amount }
            out += "\nUsage records of every tenant (\(lineage.usage.count), Σ \(number(total)) \(lineage.usage.first?.unit ?? ""))\n"
            let shown = lineage.tenant.map { tenant in lineage.usage.filter { $0.tenant == tenant } } ?? lineage.usage
            for record in shown.prefix(50) { out += "  " + keyRecord(record) + "\n" }
            if shown.count > 50 { out += "  … \(shown.count - 50) more (--format json lists every one)\n" }
            if lineage.tenant != nil, shown.count < lineage.usage.count {
                out += "  (the other \(lineage.usage.count - shown.count) records are other tenants'; --format json lists them)\n"
            }
        }
        if let denominator = lineage.denominator {
            out += "\nBasis \(lineage.basis?.rawValue ?? "usage"): D = \(number(denominator))\n"
        }
        if let usage = lineage.tenantUsage, let share = lineage.share {
            out += "Tenant usage \(number(usage)); share = usage / D = \(number(share))\n"
        }
        if let estimation = lineage.estimation {
            out += "\nEstimated (no facility data for the product in \(estimation.region) this month)\n"
            for profile in estimation.profiles {
                out += "  profile \(profile.key): \(profile.provider) \(profile.resource)\(profile.processor.map { " \($0)" } ?? "")\n"
                out += "    \(profile.formula)\n"
                for c in profile.coefficients { out += "    \(c.symbol) = \(number(c.value)) \(c.unit) (\(c.name); \(c.source) \(c.version))\n" }
            }
            for term in estimation.terms {
                out += "  \(term.source)/\(term.id) r\(term.revision): \(number(term.amount)) \(term.unit) → \(number(term.kwh)) kWh; "
                out += "scope 2 location \(number(term.scope2Location)), market \(number(term.scope2Market)) kg CO2e\n"
            }
        }
        return out
    }

    static func figuresBlock(_ title: String, _ f: EmissionFigures) -> String {
        """
        \(title) (kg CO2e; energy kWh)
          scope 1 \(number(f.scope1)); scope 2 location \(number(f.scope2Location)); scope 2 market \(number(f.scope2Market)); \
        scope 3 \(number(f.scope3)); energy \(number(f.energyKWh))

        """
    }

    static func keyRecord(_ r: CellLineage.KeyRecord) -> String {
        let of = [r.site.map { "site \($0)" }, r.product.map { "product \($0)" }, r.tenant.map { "tenant \($0)" }].compactMap { $0 }
        return "\(r.source)/\(r.id) r\(r.revision) \(r.kind)\(of.isEmpty ? "" : " (" + of.joined(separator: ", ") + ")"): \(number(r.amount)) \(r.unit)"
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
    }

    static func number(_ value: Double) -> String { String(format: "%.10g", value) }
}
