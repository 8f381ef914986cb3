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

    static func add(to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool, watch: AlertWatch) {
        router.post("/v1/targets") { request, context -> ReductionTarget in
            let data = try await HTTPSupport.requireBody(of: request, limit: bodyLimit)
            let target = try HTTPSupport.decode(
                ReductionTarget.self, from: data, expected: "{\"tenant\", \"baseline_year\", \"reduction_percent\", \"target_year\"}")
            guard target.targetYear > target.baselineYear, (0...100).contains(target.reductionPercent), !target.tenant.isEmpty else {
                throw APIError.badRequest("target_year must follow baseline_year; reduction_percent 0…100; tenant not empty")
            }
            try await context.authorize { AccessPolicy.manageTenant($0, tenant: target.tenant, what: "targets") }
            try await database.write { try target.save($0) }
            return target
        }
        router.get("/v1/targets") { request, context -> TargetList in
            let tenant = try await context.tenantReadScope(asked: askedTenant(request), what: "targets")
            let year = request.uri.queryParameters["year"].flatMap { Int(String($0)) }
            let progress = try await database.read { try ManagementStore.targetProgress($0, tenant: tenant, year: year) }
            return TargetList(targets: progress.map { TargetStatus($0.target.tenant, $0.progress) })
        }
        router.post("/v1/budgets") { request, context -> StoredCount in
            let data = try await HTTPSupport.requireBody(of: request, limit: bodyLimit)
            let budgets = try HTTPSupport.decodeOneOrMany(
                MonthlyBudget.self, from: data, expected: "{\"tenant\", \"month\": \"2024-01\", \"kgco2e\"} or an array of them")
            for budget in budgets where CalendarMonth(budget.month) == nil || !(budget.kgco2e >= 0) || !budget.kgco2e.isFinite || budget.tenant.isEmpty {
                throw APIError.badRequest("budget \(budget.tenant) \(budget.month): month like 2024-01, kgco2e ≥ 0", field: "month")
            }
            // All or nothing: one budget for a tenant the caller may not manage refuses the lot.
            for budget in budgets {
                try await context.authorize { AccessPolicy.manageTenant($0, tenant: budget.tenant, what: "budgets") }
            }
            try await database.write { db in
                for budget in budgets { try budget.save(db) }
            }
            await watch.round()
            return StoredCount(stored: budgets.count)
        }
        router.get("/v1/budgets") { request, context -> BudgetList in
            let tenant = try await context.tenantReadScope(asked: askedTenant(request), what: "budgets")
            let methodText = request.uri.queryParameters["method"].map(String.init) ?? ""
            guard let method = methodText.isEmpty ? watch.method : EmissionForecast.Method(rawValue: methodText) else {
                throw APIError.badRequest("method: use linear or seasonal_naive", field: "method")
            }
            let forecasts = try await database.read { try ManagementStore.budgetForecasts($0, tenant: tenant, method: method) }
            return BudgetList(budgets: forecasts.map(BudgetStatus.init))
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

    init(_ tenant: String, _ p: TargetProgress) {
        self.tenant = tenant
        baselineYear = p.baselineYear
        baselineKgco2e = p.baseline
        reductionPercent = p.reductionPercent
        targetYear = p.targetYear
        targetKgco2e = p.targetEmissions
        year = p.year
        yearKgco2e = p.emissions
        reducedPercent = p.reducedPercent
        progressPercent = p.progressPercent
        pathKgco2e = p.pathEmissions
        onTrack = p.onTrack
    }

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

    init(_ line: BudgetForecast) {
        tenant = line.budget.tenant
        month = line.budget.month
        kgco2e = line.budget.kgco2e
        actualKgco2e = line.actual
        forecastKgco2e = line.forecast
        forecastMethod = line.method.rawValue
    }

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
