import AccessControl
import CarbonModel
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// Carbon management over HTTP: `POST/GET /v1/targets`, `POST/GET /v1/budgets`, `GET /v1/alerts`.
/// Totals are measured, location-based (scope 1 + scope 2 location + scope 3), per tenant.
/// With authentication on, reads are for every reading role (a tenant's credentials see only
/// their own tenant); writes for the tenant's own tenant_admin or the provider_admin.
enum ManagementRoutes {
    static let bodyLimit = 1 << 20

    static func add(to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool, watch: BudgetWatch) {
        router.post("/v1/targets") { request, context -> TargetBody in
            let data = try await HTTPSupport.requireBody(of: request, limit: bodyLimit)
            try HTTPSupport.refuseRepeatedKeys(in: data)
            guard let target = try? JSONDecoder().decode(TargetBody.self, from: data) else {
                throw APIError.badRequest("body: expected {\"tenant\", \"baseline_year\", \"reduction_percent\", \"target_year\"}")
            }
            guard target.targetYear > target.baselineYear, (0...100).contains(target.reductionPercent), !target.tenant.isEmpty else {
                throw APIError.badRequest("target_year must follow baseline_year; reduction_percent 0…100; tenant not empty")
            }
            try await context.authorize { AccessPolicy.manageTenant($0, tenant: target.tenant, what: "targets") }
            try await database.write { try ManagementStore.storeTarget($0, target) }
            return target
        }
        router.get("/v1/targets") { request, context -> TargetList in
            let tenant = try await context.tenantReadScope(asked: askedTenant(request), what: "targets")
            let year = request.uri.queryParameters["year"].flatMap { Int(String($0)) }
            return TargetList(targets: try await database.read { try ManagementStore.targetProgress($0, tenant: tenant, year: year) })
        }
        router.post("/v1/budgets") { request, context -> StoredCount in
            let data = try await HTTPSupport.requireBody(of: request, limit: bodyLimit)
            try HTTPSupport.refuseRepeatedKeys(in: data)
            let budgets: [BudgetBody]
            if let many = try? JSONDecoder().decode([BudgetBody].self, from: data) {
                budgets = many
            } else if let one = try? JSONDecoder().decode(BudgetBody.self, from: data) {
                budgets = [one]
            } else {
                throw APIError.badRequest("body: expected {\"tenant\", \"month\": \"2024-01\", \"kgco2e\"} or an array of them")
            }
            for budget in budgets where CalendarMonth(budget.month) == nil || !(budget.kgco2e >= 0) || !budget.kgco2e.isFinite || budget.tenant.isEmpty {
                throw APIError.badRequest("budget \(budget.tenant) \(budget.month): month like 2024-01, kgco2e ≥ 0", field: "month")
            }
            // All or nothing: one budget for a tenant the caller may not manage refuses the lot.
            for budget in budgets {
                try await context.authorize { AccessPolicy.manageTenant($0, tenant: budget.tenant, what: "budgets") }
            }
            try await database.write { try ManagementStore.storeBudgets($0, budgets) }
            await watch.round()
            return StoredCount(stored: budgets.count)
        }
        router.get("/v1/budgets") { request, context -> BudgetList in
            let tenant = try await context.tenantReadScope(asked: askedTenant(request), what: "budgets")
            let methodText = request.uri.queryParameters["method"].map(String.init) ?? ""
            guard let method = methodText.isEmpty ? watch.method : EmissionForecast.Method(rawValue: methodText) else {
                throw APIError.badRequest("method: use linear or seasonal_naive", field: "method")
            }
            return BudgetList(budgets: try await database.read { try ManagementStore.budgetStatus($0, tenant: tenant, method: method) })
        }
        router.get("/v1/alerts") { request, context -> AlertList in
            let tenant = try await context.tenantReadScope(asked: askedTenant(request), what: "alerts")
            return AlertList(alerts: try await database.read { try ManagementStore.alerts($0, tenant: tenant) })
        }
    }

    private static func askedTenant(_ request: Request) -> String? {
        request.uri.queryParameters["tenant"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// A tenant's reduction target, as posted and as echoed by `POST /v1/targets`.
struct TargetBody: ResponseCodable, Sendable {
    var tenant: String
    var baselineYear: Int
    var reductionPercent: Double
    var targetYear: Int
    enum CodingKeys: String, CodingKey {
        case tenant
        case baselineYear = "baseline_year"
        case reductionPercent = "reduction_percent"
        case targetYear = "target_year"
    }
}

/// A tenant's budget for one month, as posted to `POST /v1/budgets`.
struct BudgetBody: Codable, Sendable {
    var tenant: String
    var month: String
    var kgco2e: Double
}

/// One target with the progress made towards it (`GET /v1/targets`).
struct TargetStatus: Encodable, Sendable {
    var tenant: String
    var baselineYear: Int
    var baselineKgco2e: Double
    var reductionPercent: Double
    var targetYear: Int
    var targetKgco2e: Double
    var year: Int
    var yearKgco2e: Double
    @ExplicitNull var reducedPercent: Double?
    @ExplicitNull var progressPercent: Double?
    var pathKgco2e: Double
    var onTrack: Bool

    enum CodingKeys: String, CodingKey {
        case tenant, year
        case baselineYear = "baseline_year", baselineKgco2e = "baseline_kgco2e", reductionPercent = "reduction_percent"
        case targetYear = "target_year", targetKgco2e = "target_kgco2e", yearKgco2e = "year_kgco2e"
        case reducedPercent = "reduced_percent", progressPercent = "progress_percent", pathKgco2e = "path_kgco2e", onTrack = "on_track"
    }
}

/// One budget with the month's actual and forecast totals (`GET /v1/budgets`).
struct BudgetStatus: Encodable, Sendable {
    var tenant: String
    var month: String
    var kgco2e: Double
    @ExplicitNull var actualKgco2e: Double?
    @ExplicitNull var forecastKgco2e: Double?
    var forecastMethod: String

    enum CodingKeys: String, CodingKey {
        case tenant, month, kgco2e
        case actualKgco2e = "actual_kgco2e", forecastKgco2e = "forecast_kgco2e", forecastMethod = "forecast_method"
    }
}

/// The body of `GET /v1/targets`.
struct TargetList: ResponseEncodable, Sendable { var targets: [TargetStatus] }
/// The body of `GET /v1/budgets`.
struct BudgetList: ResponseEncodable, Sendable { var budgets: [BudgetStatus] }
/// The body of `GET /v1/alerts`.
struct AlertList: ResponseEncodable, Sendable { var alerts: [BudgetAlert] }
/// How many items a write stored (`{"stored": n}`).
struct StoredCount: ResponseEncodable, Sendable { var stored: Int }
