import CarbonModel
import Foundation
import GRDB

/// Reads the allocation inputs of one region and month from the calculator's store and shapes
/// them into the engine's plain values. Integer micro-unit sums become Doubles only here.
enum RegionMonthInputBuilder {
    static func build(_ db: Database, key: RegionMonthKey, factors: FactorResolver, products: [String: ProductDeclaration]) throws
        -> RegionMonthInput
    {
        let declared = try CalculatorStore.sites(db, region: key.region)
        var sites: [String: SiteMonthInput] = [:]
        var usage: [String: [String: Double]] = [:]
        var hourly: [String: [String: [Int64: Int64]]] = [:]  // site -> series -> bucket -> micro
        var totals: [String: [String: Int64]] = [:]  // site -> series -> micro
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT s.site, s.kind, s.product, s.tenant, s.substance, a.bucket, a.amount
                FROM series s JOIN amounts a ON a.series_id = s.id
                WHERE s.region = ? AND a.bucket >= ? AND a.bucket < ? AND a.amount != 0
                """,
            arguments: [key.region, key.month.start, key.month.end])
        var usageMicro: [String: [String: Int64]] = [:]
        var estimableMicro: [EstimableKey: [Int64: Int64]] = [:]  // (product, tenant, profile) -> bucket -> micro
        while let row = try rows.next() {
            let site: String = row[0]
            let kindText: String = row[1]
            let product: String = row[2]
            let tenant: String = row[3]
            let substance: String = row[4]
            let bucket: Int64 = row[5]
            let amount: Int64 = row[6]
            guard let kind = ActivityKind(rawValue: kindText) else { continue }
            switch kind {
            case .usage:
                if let profile = EstimationProfile(key: substance) {
                    estimableMicro[EstimableKey(product: product, tenant: tenant, profile: profile), default: [:]][bucket, default: 0] += amount
                } else {
                    usageMicro[product, default: [:]][tenant, default: 0] += amount
                }
            case .facilityElectricity:
                hourly[site, default: [:]]["grid", default: [:]][bucket, default: 0] += amount
            case .facilityFuel:
                hourly[site, default: [:]]["fuel:" + substance, default: [:]][bucket, default: 0] += amount
            case .facilityRefrigerant:
                hourly[site, default: [:]]["gas:" + substance, default: [:]][bucket, default: 0] += amount
            case .facilityOnsiteRenewable:
                totals[site, default: [:]]["renewable", default: 0] += amount
                hourly[site, default: [:]]["renewable", default: [:]][bucket, default: 0] += amount
            case .facilityITElectricity:
                totals[site, default: [:]]["it", default: 0] += amount
            case .facilityCertificate:
                totals[site, default: [:]]["certificates", default: 0] += amount
            case .productITElectricity:
                totals[site, default: [:]]["product-it:" + product, default: 0] += amount
            case .productCapacity:
                totals[site, default: [:]]["capacity:" + product, default: 0] += amount
            case .hardwareEmbodied:
                totals[site, default: [:]]["embodied:" + product, default: 0] += amount
            }
        }
        for (product, tenants) in usageMicro {
            usage[product] = tenants.mapValues(micro)
        }
        var estimable: [EstimableUsage] = []
        for (key, buckets) in estimableMicro {
            // From the product's allocation unit to the unit the CCF formula takes.
            let productUnit = products[key.product].flatMap { UnitCatalog.definition(of: $0.unit) }
            let quantityUnit = UnitCatalog.definition(of: key.profile.resource.quantityUnit)
            let scale = (productUnit?.toCanonical ?? 1) / (quantityUnit?.toCanonical ?? 1)
            var total: Int64 = 0
            let hourly = buckets.sorted { $0.key < $1.key }.map { bucket, amount in
                total += amount
                return HourlyAmount(hour: bucket, amount: scale == 1 ? micro(amount) : micro(amount) * scale)
            }
            estimable.append(EstimableUsage(tenant: key.tenant, product: key.product, profile: key.profile, hourly: hourly, usage: micro(total)))
        }
        for site in Set(hourly.keys).union(totals.keys) {
            guard let declaration = declared[site] else { continue }
            var input = SiteMonthInput(site: declaration)
            for (series, buckets) in hourly[site] ?? [:] {
                let amounts = buckets.sorted { $0.key < $1.key }.map { HourlyAmount(hour: $0.key, amount: micro($0.value)) }
                if series == "grid" {
                    input.gridElectricityKWh = amounts
                } else if series == "renewable" {
                    input.onsiteRenewableHourly = amounts
                } else if series.hasPrefix("fuel:") {
                    input.fuels[String(series.dropFirst(5))] = amounts
                } else if series.hasPrefix("gas:") {
                    input.refrigerants[String(series.dropFirst(4))] = amounts
                }
            }
            for (series, amount) in totals[site] ?? [:] {
                let value = micro(amount)
                switch series {
                case "renewable": input.onsiteRenewableKWh = value
                case "it": input.facilityITKWh = value
                case "certificates": input.certificatesKWh = value
                case let s where s.hasPrefix("product-it:"): input.productITKWh[String(s.dropFirst(11))] = value
                case let s where s.hasPrefix("capacity:"): input.productCapacity[String(s.dropFirst(9))] = value
                case "embodied:": input.embodiedUnassigned = value
                case let s where s.hasPrefix("embodied:"): input.embodiedByProduct[String(s.dropFirst(9))] = value
                default: break
                }
            }
            sites[site] = input
        }
        return RegionMonthInput(
            region: key.region, month: key.month, sites: sites.keys.sorted().compactMap { sites[$0] }, products: products, usage: usage,
            estimable: estimable, factors: factors)
    }

    private static func micro(_ amount: Int64) -> Double { Double(amount) / 1_000_000 }

    private struct EstimableKey: Hashable {
        var product: String
        var tenant: String
        var profile: EstimationProfile
    }
}
