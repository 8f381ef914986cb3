import ArgumentParser
import CarbonModel
import Foundation

/// `carbonctl explain`: where a figure comes from — a site's, a product's at a site or in a
/// region, or a tenant's — from the calculator's `/v1/lineage`, written out so that a person
/// (or a verifier) can redo the arithmetic.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a site's, product's or tenant's figures for a month: every input record, factor, key and formula behind them.",
        discussion: """
            Asks the calculator's /v1/lineage for the cell (site, month) and prints, for scope 1, \
            scope 2 location- and market-based, scope 3 and energy: the formula, each input record \
            (source/id, revision, kind) with its amount in the month, the factor applied (id, version, \
            value and unit, source) and the product, then the total. Amounts are in canonical units \
            (kWh, L, kg, kg CO2e); figures in kg CO2e. The totals are recomputed here from the terms \
            shown, exactly as the formulas say, so what you read is what adds up.

            With --product (and --site, or --region), the product's cell at that site or in that \
            region; with --tenant and --product, the tenant's cell: each site's figures, the IT \
            energy records and weights that allocate them to products, the embodied hardware, the \
            capacity and every tenant's usage behind the denominator D, and the tenant's share. An \
            estimated tenant cell shows its CCF profiles, coefficients and terms instead.

            Example:
              carbonctl explain --site bj-1 --month 2023-06
              carbonctl explain --product ecs --region cn-north --month 2023-06
              carbonctl explain --tenant acme --product ecs --region cn-north --month 2023-06
              carbonctl explain --site bj-1 --month 2023-06 --format json
            """)

    @OptionGroup var client: ClientOptions

    @Option(help: "The site (data center), as declared; with --product, that product's cell at the site.")
    var site: String?

    @Option(help: "The product: its cell in --region (or at --site); with --tenant, the tenant's cell of it.")
    var product: String?

    @Option(help: "The tenant (needs --product and --region or --site).")
    var tenant: String?

    @Option(help: "The region of a product or tenant cell (or name a --site of it).")
    var region: String?

    @Option(help: "The month, YYYY-MM (UTC).")
    var month: String

    @Option(help: "Output: text (for people) or json (the calculator's lineage as is).")
    var format: ExplainFormat = .text

    func validate() throws {
        let parts = month.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let m = Int(parts[1]), (1...12).contains(m), Int(parts[0]) != nil else {
            throw ValidationError("--month: expected a month like 2024-01, got '\(month)'")
        }
        if tenant != nil, product == nil { throw ValidationError("--tenant needs --product (a tenant's cell is of one product)") }
        if product != nil, site == nil, region == nil { throw ValidationError("--product needs --region (or --site)") }
        if product == nil, site == nil { throw ValidationError("name a --site, or a --product with --region") }
    }

    /// The lineage layer the options name.
    var layer: String {
        if tenant != nil { return "tenant" }
        if product != nil { return region == nil ? "product_site" : "product" }
        return "site"
    }

    func run() async throws {
        try await reportingFailures {
            let calculator = try client.client(for: .calculator)
            var query = [URLQueryItem(name: "layer", value: layer), URLQueryItem(name: "month", value: month)]
            for (name, value) in [("site", site), ("product", product), ("tenant", tenant), ("region", region)] {
                if let value { query.append(URLQueryItem(name: name, value: value)) }
            }
            let body = try await calculator.get("/v1/lineage", query: query)
            switch format {
            case .json:
                FileHandle.standardOutput.write(body)
                FileHandle.standardOutput.write(Data("\n".utf8))
            case .text:
                do {
                    if layer == "site" {
                        print(LineageText.render(try JSONDecoder().decode(Lineage.self, from: body)), terminator: "")
                    } else {
                        print(CellLineageText.render(try JSONDecoder().decode(CellLineage.self, from: body)), terminator: "")
                    }
                } catch {
                    throw CtlError.usage("the calculator's lineage could not be read: \(error)")
                }
            }
        }
    }
}

enum ExplainFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}

/// The calculator's `/v1/lineage` answer, as `carbonctl` reads it (the client shares no service
/// code: it speaks their HTTP APIs only, and takes from the model only how figures are written).
struct Lineage: Decodable, Sendable {
    struct Factor: Decodable, Sendable {
        var factor: String
        var version: String
        var value: Double
        var unit: String?
        var source: String?
    }

    struct Term: Decodable, Sendable {
        var scope: String
        var source: String
        var id: String
        var revision: Int
        var kind: String
        var amount: Double
        var unit: String
        var factor: Factor?
    }

    var site: String
    var region: String
    var grid: String
    var month: String
    var gridKWh: Double
    var certificatesKWh: Double
    var terms: [Term]

    enum CodingKeys: String, CodingKey {
        case site, region, grid, month, terms
        case gridKWh = "grid_kwh"
        case certificatesKWh = "certificates_kwh"
    }
}

/// Writes a lineage out for people: per figure its formula, terms and total.
enum LineageText {
    /// The canonical unit an amount of `scope` is in.
    static func amountUnit(_ scope: String) -> String {
        switch scope {
        case "scope3": return "kg CO2e"
        case "scope1": return "(L or kg)"
        default: return "kWh"
        }
    }

    static func render(_ l: Lineage) -> String {
        var out = "Lineage of site \(l.site) (region \(l.region), grid \(l.grid)), \(l.month)\n"
        out += "Grid electricity \(number(l.gridKWh)) kWh; certificates \(number(l.certificatesKWh)) kWh.\n"
        if l.terms.isEmpty { out += "\nNo input records touch this site in this month.\n" }

        func section(_ title: String, scope: String, formula: String) -> (text: String, sum: Double) {
            let terms = l.terms.filter { $0.scope == scope }
            var text = "\n\(title)\n  = \(formula)\n"
            var sum = 0.0
            if terms.isEmpty { text += "  (no terms)\n" }
            for t in terms {
                let record = "\(t.source)/\(t.id) rev \(t.revision) (\(t.kind))"
                if let f = t.factor {
                    let product = t.amount * f.value
                    sum += product
                    let unit = f.unit ?? "kgCO2e per canonical unit"
                    text += "  \(record): \(number(t.amount)) × \(f.value) \(unit) [\(f.factor) v\(f.version)\(f.source.map { ", " + $0 } ?? "")] = \(number(product))\n"
                } else if scope == "scope3" || scope == "renewable" || scope == "certificates" {
                    sum += t.amount
                    text += "  \(record): \(number(t.amount)) \(amountUnit(scope))\n"
                } else {
                    text += "  \(record): \(number(t.amount)) \(amountUnit(scope)) × no factor in force (counted as missing, not as 0)\n"
                }
            }
            return (text, sum)
        }

        let scope1 = section("Scope 1 (fuel, refrigerants), kg CO2e", scope: "scope1", formula: "Σ amount × factor value")
        out += scope1.text + "  Total scope 1: \(number(scope1.sum)) kg CO2e\n"
        let location = section("Scope 2, location-based, kg CO2e", scope: "scope2_location", formula: "Σ grid kWh × grid factor")
        out += location.text + "  Total scope 2 location-based: \(number(location.sum)) kg CO2e\n"
        let residual = section(
            "Scope 2, market-based, kg CO2e", scope: "residual",
            formula: "max(0, grid kWh − certificates kWh) × (Σ grid kWh × residual-mix factor) ÷ grid kWh")
        let uncovered = max(0, l.gridKWh - l.certificatesKWh)
        let market = l.gridKWh > 0 ? uncovered * residual.sum / l.gridKWh : 0
        out += residual.text
        out += "  Residual-weighted: \(number(residual.sum)); × \(number(uncovered)) ÷ \(number(l.gridKWh)) kWh\n"
        out += "  Total scope 2 market-based: \(number(market)) kg CO2e\n"
        let scope3 = section("Scope 3 (embodied hardware), kg CO2e", scope: "scope3", formula: "Σ the month's share of each item's embodied emissions")
        out += scope3.text + "  Total scope 3: \(number(scope3.sum)) kg CO2e\n"
        let renewable = section("Energy, kWh", scope: "renewable", formula: "grid kWh + Σ on-site renewable kWh")
        out += renewable.text + "  Total energy: \(number(l.gridKWh + renewable.sum)) kWh\n"
        let certificates = l.terms.filter { $0.scope == "certificates" }
        if !certificates.isEmpty {
            out += "\nCertificates (matched in this month only)\n"
            for t in certificates { out += "  \(t.source)/\(t.id) rev \(t.revision): \(number(t.amount)) kWh\n" }
        }
        out += "\nTotal location-based = scope 1 + scope 2 location + scope 3 = \(number(scope1.sum + location.sum + scope3.sum)) kg CO2e\n"
        out += "Total market-based = scope 1 + scope 2 market + scope 3 = \(number(scope1.sum + market + scope3.sum)) kg CO2e\n"
        return out
    }

    static func number(_ value: Double) -> String { String(format: "%.3f", value) }
}
