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
    struct TargetBody: Codable, Sendable {
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

    struct BudgetBody: Codable, Sendable {
        var tenant: String
        var month: String
        var kgco2e: Double
    }

    /// Authenticates and checks a read of `what`; the tenant the answer is limited to, or the refusal.
    private static func admitRead(_ request: Request, access: RouteGuard, action: String, what: String) async -> Result<String?, Refusal> {
        let asked = request.uri.queryParameters["tenant"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        switch await access.admit(request, action: action, decide: { AccessPolicy.readTenantData($0, tenant: asked, what: what) }) {
        case .refused(let response): return .failure(Refusal(response: response))
        case .admitted(let principal): return .success(AccessPolicy.tenantScope(principal, requested: asked))
        }
    }

    /// A response refusing a request, carried through `Result`.
    struct Refusal: Error { var response: Response }

    static func add(to router: Router<BasicRequestContext>, database: DatabasePool, watch: BudgetWatch, access: RouteGuard) {
        router.post("/v1/targets") { request, _ -> Response in
            let principal: Principal?
            switch await access.identify(request, action: "POST /v1/targets") {
            case .admitted(let who): principal = who
            case .refused(let refusal): return refusal
            }
            guard let data = try await HTTPSupport.body(of: request, limit: 1 << 20) else {
                return HTTPSupport.error(.contentTooLarge, "body: at most 1 MiB")
            }
            if let refusal = HTTPSupport.repeatedKeyRefusal(in: data) { return refusal }
            guard let target = try? JSONDecoder().decode(TargetBody.self, from: data)
            else { return HTTPSupport.error(.badRequest, "body: expected {\"tenant\", \"baseline_year\", \"reduction_percent\", \"target_year\"}") }
            guard target.targetYear > target.baselineYear, (0...100).contains(target.reductionPercent), !target.tenant.isEmpty else {
                return HTTPSupport.error(.badRequest, "target_year must follow baseline_year; reduction_percent 0…100; tenant not empty")
            }
            if let principal, let refusal = await access.check(
                principal, action: "POST /v1/targets", decision: AccessPolicy.manageTenant(principal, tenant: target.tenant, what: "targets"))
            {
                return refusal
            }
            try await database.write {
                try $0.execute(
                    sql: "INSERT OR REPLACE INTO targets (tenant, baseline_year, reduction_percent, target_year) VALUES (?, ?, ?, ?)",
                    arguments: [target.tenant, target.baselineYear, target.reductionPercent, target.targetYear])
            }
            return HTTPSupport.json(target)
        }
        router.get("/v1/targets") { request, _ -> Response in
            let tenant: String?
            switch await admitRead(request, access: access, action: "GET /v1/targets", what: "targets") {
            case .success(let scope): tenant = scope
            case .failure(let refusal): return refusal.response
            }
            let yearParameter = request.uri.queryParameters["year"].flatMap { Int(String($0)) }
            let data = try await database.read { db -> Data in
                var sql = "SELECT tenant, baseline_year, reduction_percent, target_year FROM targets"
                var arguments: [any DatabaseValueConvertible] = []
                if let tenant {
                    sql += " WHERE tenant = ?"
                    arguments.append(tenant)
                }
                let targets = try Row.fetchAll(db, sql: sql + " ORDER BY tenant", arguments: StatementArguments(arguments)).map { row -> [String: Any] in
                    let name: String = row["tenant"]
                    let totals = try ManagementStore.monthlyTotals(db, tenant: name)
                    func year(_ y: Int) -> Double { totals.filter { $0.key.year == y }.values.reduce(0, +) }
                    let baselineYear: Int = row["baseline_year"]
                    let current = yearParameter ?? totals.keys.max()?.year ?? baselineYear
                    let p = TargetProgress.evaluate(
                        baselineYear: baselineYear, baseline: year(baselineYear), targetYear: row["target_year"],
                        reductionPercent: row["reduction_percent"], year: current, emissions: year(current))
                    return [
                        "tenant": name, "baseline_year": p.baselineYear, "baseline_kgco2e": p.baseline, "reduction_percent": p.reductionPercent,
                        "target_year": p.targetYear, "target_kgco2e": p.targetEmissions, "year": p.year, "year_kgco2e": p.emissions,
                        "reduced_percent": p.reducedPercent ?? NSNull(), "progress_percent": p.progressPercent ?? NSNull(),
                        "path_kgco2e": p.pathEmissions, "on_track": p.onTrack,
                    ]
                }
                return jsonData(["targets": targets])
            }
            return HTTPSupport.raw(data, contentType: "application/json")
        }
        router.post("/v1/budgets") { request, _ -> Response in
            let principal: Principal?
            switch await access.identify(request, action: "POST /v1/budgets") {
            case .admitted(let who): principal = who
            case .refused(let refusal): return refusal
            }
            guard let data = try await HTTPSupport.body(of: request, limit: 1 << 20) else { return HTTPSupport.error(.contentTooLarge, "body: at most 1 MiB") }
            if let refusal = HTTPSupport.repeatedKeyRefusal(in: data) { return refusal }
            let budgets: [BudgetBody]
            if let many = try? JSONDecoder().decode([BudgetBody].self, from: data) {
                budgets = many
            } else if let one = try? JSONDecoder().decode(BudgetBody.self, from: data) {
                budgets = [one]
            } else {
                return HTTPSupport.error(.badRequest, "body: expected {\"tenant\", \"month\": \"2024-01\", \"kgco2e\"} or an array of them")
            }
            for budget in budgets where CalendarMonth(budget.month) == nil || budget.kgco2e < 0 || budget.tenant.isEmpty {
                return HTTPSupport.error(.badRequest, "budget \(budget.tenant) \(budget.month): month like 2024-01, kgco2e ≥ 0", field: "month")
            }
            if let principal {
                // All or nothing: one budget for a tenant the caller may not manage refuses the lot.
                for budget in budgets {
                    if let refusal = await access.check(
                        principal, action: "POST /v1/budgets", decision: AccessPolicy.manageTenant(principal, tenant: budget.tenant, what: "budgets"))
                    {
                        return refusal
                    }
                }
            }
            try await database.write { db in
                for budget in budgets {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO budgets (tenant, month, kgco2e) VALUES (?, ?, ?)",
                        arguments: [budget.tenant, budget.month, budget.kgco2e])
                }
            }
            await watch.round()
            return HTTPSupport.json(["stored": budgets.count])
        }
        router.get("/v1/budgets") { request, _ -> Response in
            let tenant: String?
            switch await admitRead(request, access: access, action: "GET /v1/budgets", what: "budgets") {
            case .success(let scope): tenant = scope
            case .failure(let refusal): return refusal.response
            }
            let methodText = request.uri.queryParameters["method"].map(String.init) ?? ""
            guard let method = methodText.isEmpty ? watch.method : EmissionForecast.Method(rawValue: methodText) else {
                return HTTPSupport.error(.badRequest, "method: use linear or seasonal_naive", field: "method")
            }
            let data = try await database.read { db -> Data in
                var sql = "SELECT tenant, month, kgco2e FROM budgets"
                var arguments: [any DatabaseValueConvertible] = []
                if let tenant {
                    sql += " WHERE tenant = ?"
                    arguments.append(tenant)
                }
                var answer: [[String: Any]] = []
                for row in try Row.fetchAll(db, sql: sql + " ORDER BY tenant, month", arguments: StatementArguments(arguments)) {
                    let name: String = row["tenant"]
                    let monthText: String = row["month"]
                    guard let month = CalendarMonth(monthText) else { continue }
                    let (actual, forecast) = try ManagementStore.actualAndForecast(db, tenant: name, through: month, method: method)
                    let history = try ManagementStore.monthlyTotals(db, tenant: name)
                    answer.append([
                        "tenant": name, "month": monthText, "kgco2e": row["kgco2e"] as Double,
                        "actual_kgco2e": actual[month] ?? NSNull(), "forecast_kgco2e": forecast[month] ?? NSNull(),
                        "forecast_method": ForecastRoutes.applied(method, history: history).rawValue,
                    ])
                }
                return jsonData(["budgets": answer])
            }
            return HTTPSupport.raw(data, contentType: "application/json")
        }
        router.get("/v1/alerts") { request, _ -> Response in
            let tenant: String?
            switch await admitRead(request, access: access, action: "GET /v1/alerts", what: "alerts") {
            case .success(let scope): tenant = scope
            case .failure(let refusal): return refusal.response
            }
            let alerts = try await database.read { try ManagementStore.alerts($0, tenant: tenant) }
            return HTTPSupport.json(["alerts": alerts])
        }
    }

    private static func jsonData(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
    }
}
