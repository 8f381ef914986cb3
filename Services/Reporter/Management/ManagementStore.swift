import CarbonModel
import Foundation
import GRDB
import Hummingbird

/// The reporter's own tables for carbon management: reduction targets and monthly budgets per
/// tenant, and the alerts raised when a month's actual or forecast emissions cross a budget.
/// An alert is unique per (tenant, month, kind): a crossing is raised exactly once.
enum ManagementStore {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporter-management-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE targets (
                        tenant TEXT PRIMARY KEY,
                        baseline_year INTEGER NOT NULL,
                        reduction_percent REAL NOT NULL,
                        target_year INTEGER NOT NULL
                    );
                    CREATE TABLE budgets (
                        tenant TEXT NOT NULL,
                        month TEXT NOT NULL,
                        kgco2e REAL NOT NULL,
                        PRIMARY KEY (tenant, month)
                    ) WITHOUT ROWID;
                    CREATE TABLE budget_alerts (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        tenant TEXT NOT NULL,
                        month TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('actual', 'forecast')),
                        value REAL NOT NULL,
                        budget REAL NOT NULL,
                        delivered INTEGER NOT NULL DEFAULT 0,
                        UNIQUE (tenant, month, kind)
                    );
                    """)
        }
    }

    /// A tenant's measured, location-based monthly totals (scope 1 + scope 2 location + scope 3).
    static func monthlyTotals(_ db: Database, tenant: String) throws -> [CalendarMonth: Double] {
        // Raw SQL because SQLite sums the cells per month (GROUP BY over the ledger view): one
        // row a month comes back instead of every tenant cell.
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT month, SUM(scope1 + scope2_location + scope3) AS total FROM ledger
                WHERE layer = 'tenant' AND tenant = ? AND mode = 'measured' GROUP BY month
                """,
            arguments: [tenant])
        var totals: [CalendarMonth: Double] = [:]
        for row in rows { if let month = CalendarMonth(row["month"] as String) { totals[month] = row["total"] } }
        return totals
    }

    /// Actual totals for months up to the tenant's latest month with results; for later months,
    /// a forecast over up to 24 months of history (see `EmissionForecast`; linear trend unless
    /// `method` says seasonal-naive).
    static func actualAndForecast(
        _ db: Database, tenant: String, through last: CalendarMonth, method: EmissionForecast.Method = .linearTrend
    ) throws -> (actual: [CalendarMonth: Double], forecast: [CalendarMonth: Double]) {
        let totals = try monthlyTotals(db, tenant: tenant)
        guard let latest = totals.keys.max(), let earliest = totals.keys.min() else { return ([:], [:]) }
        var history: [Double] = []
        var month = max(earliest, latest.adding(months: -23))
        while month <= latest {
            history.append(totals[month] ?? 0)
            month = month.next
        }
        var forecast: [CalendarMonth: Double] = [:]
        if last > latest {
            var horizon = 0
            var m = latest
            while m < last {
                m = m.next
                horizon += 1
            }
            for (i, value) in EmissionForecast.forecast(history, horizon: horizon, method: method).enumerated() { forecast[latest.adding(months: i + 1)] = value }
        }
        return (totals, forecast)
    }

    /// Raises the alerts of every budget that is crossed and not yet alerted; returns how many were new.
    @discardableResult
    static func evaluate(_ db: Database, method: EmissionForecast.Method = .linearTrend) throws -> Int {
        var raised = 0
        let budgets = try MonthlyBudget.order(MonthlyBudget.Columns.tenant, MonthlyBudget.Columns.month).fetchAll(db)
        var byTenant: [String: [(CalendarMonth, Double)]] = [:]
        for budget in budgets {
            guard let month = CalendarMonth(budget.month) else { continue }
            byTenant[budget.tenant, default: []].append((month, budget.kgco2e))
        }
        for (tenant, entries) in byTenant.sorted(by: { $0.key < $1.key }) {
            guard let last = entries.map(\.0).max() else { continue }
            let (actual, forecast) = try actualAndForecast(db, tenant: tenant, through: last, method: method)
            for (month, budget) in entries {
                let crossings = BudgetCheck.crossings(
                    budget: budget, actual: actual[month].map { [month: $0] } ?? [:], forecast: forecast[month].map { [month: $0] } ?? [:])
                for crossing in crossings {
                    // A crossing already alerted is the same row (unique per tenant, month and kind): ignored.
                    try BudgetAlert(tenant: tenant, month: month.description, kind: crossing.kind.rawValue, value: crossing.value, budget: budget)
                        .insert(db, onConflict: .ignore)
                    raised += db.changesCount
                }
            }
        }
        return raised
    }

    /// The alerts (of `tenant`, or all) in the order they were raised; only those not yet
    /// delivered, when asked.
    static func alerts(_ db: Database, tenant: String?, undeliveredOnly: Bool = false) throws -> [BudgetAlert] {
        var request = BudgetAlert.order(BudgetAlert.Columns.id)
        if let tenant { request = request.filter(BudgetAlert.Columns.tenant == tenant) }
        if undeliveredOnly { request = request.filter(BudgetAlert.Columns.delivered == false) }
        return try request.fetchAll(db)
    }

    /// Marks an alert delivered to the webhook, so that it is not POSTed again.
    static func markDelivered(_ db: Database, _ alert: BudgetAlert) throws {
        try BudgetAlert.filter(key: alert.id).updateAll(db, BudgetAlert.Columns.delivered.set(to: true))
    }
}

/// An alert: a month whose actual or forecast emissions crossed the tenant's budget; a row of
/// `budget_alerts`, an item of `GET /v1/alerts` and the body POSTed to the alert webhook.
struct BudgetAlert: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "budget_alerts"
    /// Assigned by SQLite on insert; orders the alerts as raised.
    var id: Int64?
    var tenant: String
    var month: String
    /// `actual` or `forecast`.
    var kind: String
    var value: Double
    var budget: Double
    var delivered = false

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let tenant = Column(CodingKeys.tenant)
        static let delivered = Column(CodingKeys.delivered)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A tenant's reduction target: a row of `targets`, the body of `POST /v1/targets` and its echo.
struct ReductionTarget: Codable, Sendable, FetchableRecord, PersistableRecord, ResponseEncodable {
    static let databaseTableName = "targets"
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
    enum Columns {
        static let tenant = Column(CodingKeys.tenant)
    }
}

/// A tenant's emissions budget for one month: a row of `budgets` and an item of `POST /v1/budgets`.
struct MonthlyBudget: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "budgets"
    var tenant: String
    var month: String
    var kgco2e: Double

    enum Columns {
        static let tenant = Column(CodingKeys.tenant)
        static let month = Column(CodingKeys.month)
    }
}

/// A budget with the month's actual total (months with results) and forecast.
struct BudgetForecast: Sendable {
    var budget: MonthlyBudget
    var month: CalendarMonth
    var actual: Double?
    var forecast: Double?
    /// The forecast method that produced `forecast` (seasonal-naive needs a season of history).
    var method: EmissionForecast.Method
}

extension ManagementStore {
    /// Every target (of `tenant`, or all) with the progress made by `year` (default: the
    /// tenant's latest year with results, else its baseline year). `GET /v1/targets` and the
    /// dashboard read them alike.
    static func targetProgress(_ db: Database, tenant: String?, year asked: Int? = nil) throws -> [(target: ReductionTarget, progress: TargetProgress)] {
        var request = ReductionTarget.order(ReductionTarget.Columns.tenant)
        if let tenant { request = request.filter(ReductionTarget.Columns.tenant == tenant) }
        return try request.fetchAll(db).map { target in
            let totals = try monthlyTotals(db, tenant: target.tenant)
            func year(_ y: Int) -> Double { totals.filter { $0.key.year == y }.values.reduce(0, +) }
            let current = asked ?? totals.keys.max()?.year ?? target.baselineYear
            let progress = TargetProgress.evaluate(
                baselineYear: target.baselineYear, baseline: year(target.baselineYear), targetYear: target.targetYear,
                reductionPercent: target.reductionPercent, year: current, emissions: year(current))
            return (target, progress)
        }
    }

    /// Every budget (of `tenant`, or all) with its month's actual total and forecast by
    /// `method`. `GET /v1/budgets` and the dashboard read them alike.
    static func budgetForecasts(_ db: Database, tenant: String?, method: EmissionForecast.Method) throws -> [BudgetForecast] {
        var request = MonthlyBudget.order(MonthlyBudget.Columns.tenant, MonthlyBudget.Columns.month)
        if let tenant { request = request.filter(MonthlyBudget.Columns.tenant == tenant) }
        return try request.fetchAll(db).compactMap { budget in
            // Months are checked when budgets are posted; a row without one is not a budget.
            guard let month = CalendarMonth(budget.month) else { return nil }
            let (actual, forecast) = try actualAndForecast(db, tenant: budget.tenant, through: month, method: method)
            let applied = ForecastRoutes.applied(method, history: try monthlyTotals(db, tenant: budget.tenant))
            return BudgetForecast(budget: budget, month: month, actual: actual[month], forecast: forecast[month], method: applied)
        }
    }
}
