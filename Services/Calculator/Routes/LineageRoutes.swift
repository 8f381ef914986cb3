import AccessControl
import CarbonModel
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// `GET /v1/lineage` on the calculator's HTTP port: the formula, input records and factors
/// behind a result cell, from the calculator's own store, in a form a verifier recomputes by
/// hand.
///
/// - `layer=site` (the default): `site=`, `month=` → ``SiteLineage``.
/// - `layer=product_site`: `site=`, `product=`, `month=` → ``CellLineage``.
/// - `layer=product`: `product=`, `region=` (or a `site=` of the region), `month=` → ``CellLineage``.
/// - `layer=tenant`: `tenant=`, `product=`, `region=` (or `site=`), `month=` → ``CellLineage``;
///   for an estimated (CCF) cell, with its ``EstimatedLineage`` in `estimation`.
///
/// Reads every stored record to find the cell's (no per-site index yet).
enum LineageRoutes {
    static func add(
        to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool, defaults: [EmissionFactor],
        quality: DataQualitySettings = .default
    ) {
        router.get("/v1/lineage") { request, context -> Response in
            // Lineage names every tenant's usage behind a cell's denominator: the provider's alone.
            try await context.authorize { AccessPolicy.readProviderView($0, what: "lineage of result cells") }
            let parameters = request.uri.queryParameters
            var given: [String: String] = [:]
            for name in ["layer", "month", "site", "product", "tenant", "region"] {
                if let value = parameters[Substring(name)].map(String.init), !value.isEmpty { given[name] = value }
            }
            let text = { [given] (name: String) -> String? in given[name] }
            let regionGiven = given["region"]
            let layerText = text("layer") ?? "site"
            guard let layer = CellLineage.Layer(rawValue: layerText) else {
                throw APIError.badRequest("layer: use site, product_site, product or tenant (got \"\(layerText)\")", field: "layer")
            }
            guard let monthText = text("month"), let month = CalendarMonth(monthText) else {
                throw APIError.badRequest("month: expected a month like 2024-01", field: "month")
            }
            let siteName = text("site")
            if layer == .site || layer == .productSite, siteName == nil {
                throw APIError.badRequest("site: required for the \(layer.rawValue) layer", field: "site")
            }
            let product = text("product")
            if layer != .site, product == nil {
                throw APIError.badRequest("product: required for the \(layer.rawValue) layer", field: "product")
            }
            let tenant = text("tenant")
            if layer == .tenant, tenant == nil {
                throw APIError.badRequest("tenant: required for the tenant layer", field: "tenant")
            }
            if layer == .product || layer == .tenant, text("region") == nil, siteName == nil {
                throw APIError.badRequest("region: required (or a site of the region) for the \(layer.rawValue) layer", field: "region")
            }
            let answer = try await database.read { db -> LineageAnswer in
                var site: SiteDeclaration?
                if let siteName {
                    guard let declared = try CalculatorStore.site(db, named: siteName) else {
                        throw APIError.notFound("site: unknown site \"\(siteName)\"", field: "site")
                    }
                    site = declared
                }
                let records = try CalculatorStore.allRecords(db)
                let lineageRegion = regionGiven ?? site?.region ?? ""
                let factors = FactorResolver(defaults + (try CalculatorStore.factors(db, in: month, grids: try CalculatorStore.grids(db, region: lineageRegion))))
                if layer == .site, let site {
                    return .site(SiteLineage.build(site: site, month: month, records: records, factors: factors, quality: quality))
                }
                let region = regionGiven ?? site?.region ?? ""
                let sites = try CalculatorStore.sites(db, region: region).values.sorted { $0.site < $1.site }
                let products = try CalculatorStore.products(db)
                let built = Result { () throws(CellLineage.Missing) -> CellLineage in
                    try CellLineage.build(
                        layer: layer, region: region, month: month, site: siteName, product: product ?? "", tenant: tenant, sites: sites,
                        products: products, records: records, factors: factors, quality: quality)
                }
                switch built {
                case .success(let cell):
                    return .cell(cell)
                case .failure(.site(let name)):
                    throw APIError.notFound("site: \"\(name)\" is not a site of region \"\(region)\"", field: "site")
                case .failure(.product(let name)):
                    throw APIError.notFound("product: \"\(name)\" has no emissions in \(region) in \(month)", field: "product")
                case .failure(.tenant(let name)):
                    throw APIError.notFound("tenant: \"\(name)\" has no usage of \(product ?? "") in \(region) in \(month)", field: "tenant")
                }
            }
            switch answer {
            case .site(let lineage): return HTTPSupport.json(lineage)
            case .cell(let lineage): return HTTPSupport.json(lineage)
            }
        }
    }
}

/// What `GET /v1/lineage` found: a site's lineage or a cell's.
private enum LineageAnswer {
    case site(SiteLineage)
    case cell(CellLineage)
}
