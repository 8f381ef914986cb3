import CarbonModel
import Contracts
import Foundation
import GRDB
import Logging
import Messaging
import ServiceKit

/// Recalculates dirty region-months. A region-month is taken once it has been quiet for
/// `settleMilliseconds` (so a stream of batches for the same month costs one calculation, not
/// one per batch) or has waited `maxWaitMilliseconds`. Inputs are read, the engine runs, and the
/// result, its outbox message and the removal of the dirty mark commit in one transaction.
/// The inputs are read inside that same write transaction, so they include every mark
/// committed before it: the whole mark goes, whatever its generation. (Keeping a mark whose
/// generation moved on since the list of due region-months was read kept its first-marked time
/// too, so under a steady stream a region-month was recalculated back to back instead of once
/// per `maxWaitMilliseconds`.)
struct Recalculator: Sendable {
    // Raw SQL throughout: every statement here runs once per region-month recalculation, on the
    // path scripts/bench measures (the dirty mark, the version bump, the publication written in
    // the same transaction); cached statements, not records, keep it short.
    let database: DatabasePool
    let publisher: OutboxPublisher
    let source: MessageSource
    let settleMilliseconds: Int64
    let maxWaitMilliseconds: Int64
    let metrics: ServiceMetrics
    let logger: Logger
    /// The factors shipped with CarbonMeter; declared factors override them (see `FactorResolver`).
    let defaultFactors: [EmissionFactor]
    /// Gap filling and outlier thresholds for the metered facility series.
    var quality: DataQualitySettings = .default
    /// Tenant cells per publication message (``PublicationPages``).
    var pageCells = 2_000
    /// The cells of each region-month this replica publishes, when several share the work.
    var partition: CalculatorPartition = .whole
    /// Whether certificates of another grid count for the monthly market-based figure.
    var marketBoundary: MarketBoundary = .hourlyOnly

    func run() async throws {
        while !Task.isCancelled {
            let calculated = try await runOnce()
            if calculated == 0 {
                // Fails only when cancelled, which ends the loop at its check.
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// One pass over what is due; returns how many region-months were calculated.
    func runOnce() async throws -> Int {
        let now = CalculatorStore.nowMilliseconds()
        let settledBefore = now - settleMilliseconds
        let waitedBefore = now - maxWaitMilliseconds
        let due = try await database.read { db in try Self.due(db, settledBefore: settledBefore, waitedBefore: waitedBefore) }
        let calculation = self.calculation
        var count = 0
        for key in due {
            do {
                let started = ContinuousClock.now
                let published = try await database.write { db in try calculation.calculate(db, key: key) }
                count += 1
                publisher.notify()
                metrics.counter("carbonmeter_tenant_cells_calculated_total", help: "Tenant cells of the region-months recalculated")
                    .increment(by: Int64(published.tenantCells))
                metrics.counter(
                    "carbonmeter_tenant_cells_published_total",
                    help: "Tenant cells carried by publications (changed since the version before, or all of a whole publication)"
                ).increment(by: Int64(published.changedCells))
                metrics.counter("carbonmeter_tenant_cells_removed_total", help: "Tenant cells publications removed")
                    .increment(by: Int64(published.removedCells))
                metrics.recordsProcessed.increment()
                guard published.version > 0 else {
                    logger.debug(
                        "region-month calculated: nothing of this partition's own to publish",
                        metadata: ["region": "\(key.region)", "month": "\(key.month)", "partition": "\(partition)"])
                    continue
                }
                logger.info(
                    "region-month calculated",
                    metadata: [
                        "region": "\(key.region)", "month": "\(key.month)", "version": "\(published.version)",
                        "tenants": "\(published.tenantCells)", "tenants_published": "\(published.changedCells)", "pages": "\(published.pages)",
                        "elapsed": "\(ContinuousClock.now - started)",
                    ])
                for missing in published.missingFactors {
                    logger.warning(
                        "no emission factor: emissions of this activity are counted as zero",
                        metadata: [
                            "region": "\(key.region)", "month": "\(key.month)", "activity": "\(missing.activity)",
                            "factor_region": "\(missing.region)", "hours": "\(missing.hours)",
                        ])
                }
            } catch {
                metrics.errors.increment()
                logger.error(
                    "calculation failed; the region-month keeps its last results until new data for it arrives",
                    metadata: ["region": "\(key.region)", "month": "\(key.month)", "error": "\(error)"])
                // Not left dirty: retrying the same inputs fails the same way, ten times a second.
                do {
                    try await database.write { db in
                        try CalculationFailures.record(db, region: key.region, month: key.month, error: "\(error)")
                    }
                } catch {
                    logger.error("could not record the failed calculation", metadata: ["region": "\(key.region)", "error": "\(error)"])
                }
            }
        }
        return count
    }

    /// The region-months due (at most `limit`, oldest month first): those quiet since
    /// `settledBefore` or waiting since `waitedBefore` (epoch milliseconds).
    static func due(_ db: Database, settledBefore: Int64, waitedBefore: Int64, limit: Int = 64) throws -> [RegionMonthKey] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT region, month FROM dirty
                WHERE last_marked_ms <= ? OR first_marked_ms <= ? ORDER BY month, region LIMIT ?
                """,
            arguments: [settledBefore, waitedBefore, limit]
        ).compactMap { row in
            guard let month = CalendarMonth(row["month"] as String) else { return nil }
            return RegionMonthKey(region: row["region"], month: month)
        }
    }

    /// One region-month's calculation with this loop's settings.
    var calculation: RegionMonthCalculation {
        RegionMonthCalculation(
            source: source, defaultFactors: defaultFactors, quality: quality, pageCells: pageCells, partition: partition,
            marketBoundary: marketBoundary)
    }
}

/// The calculation of one region-month and the queueing of its publication, inside the
/// caller's write transaction: what ``Recalculator`` does for each due region-month, apart from
/// the scheduling, logging and waking of the publisher, so that it can run on a store alone
/// (the calculator's in-process tests call it on a store of their own).
struct RegionMonthCalculation: Sendable {
    let source: MessageSource
    /// The factors shipped with CarbonMeter; declared factors override them (see `FactorResolver`).
    let defaultFactors: [EmissionFactor]
    /// Gap filling and outlier thresholds for the metered facility series.
    var quality: DataQualitySettings = .default
    /// Tenant cells per publication message (``PublicationPages``).
    var pageCells = 2_000
    /// The cells of each region-month this replica publishes, when several share the work.
    var partition: CalculatorPartition = .whole
    /// Whether certificates of another grid count for the monthly market-based figure.
    var marketBoundary: MarketBoundary = .hourlyOnly

    /// Calculates one region-month and queues its publication. After the first publication
    /// of a region-month, each one is a change set (``RegionMonthPublication/baseVersion``):
    /// complete sites and products, and only the tenant cells whose published state changed
    /// (``PublishedTenantCells``), so its size, and the reporter's work, follow what changed
    /// rather than the number of tenants.
    func calculate(_ db: Database, key: RegionMonthKey) throws -> CalculatedRegionMonth {
        let factors = FactorResolver(
            defaultFactors + (try CalculatorStore.factors(db, in: key.month, grids: try CalculatorStore.grids(db, region: key.region))))
        let products = try CalculatorStore.products(db)
        let held = try Row.fetchOne(
            db, sql: "SELECT version, cells_tracked FROM results WHERE region = ? AND month = ?",
            arguments: [key.region, key.month.description])
        let heldVersion: Int? = held?["version"]
        // What was published is known only for region-months calculated since change sets: the
        // others get a whole publication, which builds on no version.
        let tracked = (held?["cells_tracked"] as Int?) == 1
        let base = tracked ? heldVersion : nil
        let allTenants = try Bool.fetchOne(
            db, sql: "SELECT all_tenants FROM dirty WHERE region = ? AND month = ?", arguments: [key.region, key.month.description]) ?? false
        // Only the tenant cells records changed, and those with usage that has resource details
        // (their mode and estimates follow the facility data and factors) — unless nothing is
        // known of what was published, or a declaration can have moved usage between cells.
        var scope: Set<TenantCellKey>? = nil
        if tracked, !allTenants {
            let cells = try PublishedTenantCells.changed(db, key: key).union(RegionMonthInputBuilder.estimableCells(db, key: key))
            // Cell by cell costs a few index look-ups each; past a quarter of the cells held
            // (a bulk load), one pass over all of them is cheaper.
            let published = cells.count <= 1_000 ? 0 : try PublishedTenantCells.count(db, key: key)
            if cells.count <= 1_000 || cells.count * 4 <= published { scope = cells }
        }
        // A cell of plain usage depends on nothing but its usage (its figures are derived from
        // the product's); a cell with resource details is in the scope whatever changed.
        let input = try RegionMonthInputBuilder.build(
            db, key: key, factors: factors, products: products, quality: quality, marketBoundary: marketBoundary, tenantCells: scope)
        var result = AccountingEngine.calculate(input)
        result.hourly = HourlyBreakdown.series(input, result: result)
        result = partition.restrict(result)
        let version = (heldVersion ?? 0) + 1
        if heldVersion == nil, partition.count > 1, CalculatorPartition.isEmpty(result) {
            // Facility data of a region where this partition owns neither the sites nor a
            // product with cells: there is nothing of its own to publish.
            try db.execute(sql: "DELETE FROM dirty WHERE region = ? AND month = ?", arguments: [key.region, key.month.description])
            try PublishedTenantCells.clearChanged(db, key: key)
            try CalculationFailures.clear(db, region: key.region, month: key.month)
            return CalculatedRegionMonth(version: 0, tenantCells: 0, changedCells: 0, removedCells: 0, missingFactors: [])
        }
        let tagParts = try TagUsageLedger.parts(db, key: key, tenants: result.tenants, only: scope)
        let changes = try PublishedTenantCells.update(
            db, key: key, tenants: result.tenants, tagParts: tagParts, hourly: result.hourly, scope: scope)
        var calculated = CalculatedRegionMonth(
            version: version, tenantCells: result.tenants.count, changedCells: tracked ? changes.changed.count : result.tenants.count,
            removedCells: tracked ? changes.removed.count : 0, missingFactors: result.missingFactors)
        let factorsUsed = result.allFactorsUsed
        var publicationParts = tagParts
        if base != nil {
            result.tenants.removeAll { !changes.changed.contains(TenantCellRef($0)) }
            result.hourly.removeAll { series in
                guard series.layer == "tenant", let tenant = series.tenant, let product = series.product else { return false }
                return !changes.changed.contains(TenantCellRef(tenant: tenant, product: product, mode: .estimated))
            }
            publicationParts.removeAll { !changes.changed.contains(TenantCellRef(tenant: $0.tenant, product: $0.product, mode: $0.mode)) }
        }
        var publication = RegionMonthPublication(
            region: key.region, month: key.month, version: version, calculatedAt: MessageClock.timestamp(), result: result)
        publication.tagParts = publicationParts.isEmpty ? nil : publicationParts
        publication.factorsUsed = factorsUsed
        publication.partition = partition.count > 1 ? partition : nil
        if base != nil {
            publication.baseVersion = base
            publication.removedTenants = changes.removed
        }
        // The publication itself lives in the outbox until delivered; the calculator keeps only
        // its version and the published tenant states.
        try db.execute(
            sql: """
                INSERT INTO results (region, month, version, calculated_at, result, cells_tracked) VALUES (?, ?, ?, ?, X'', 1)
                ON CONFLICT (region, month) DO UPDATE SET version = excluded.version, calculated_at = excluded.calculated_at,
                    result = excluded.result, cells_tracked = 1
                """,
            arguments: [key.region, key.month.description, version, publication.calculatedAt])
        try PublishedTenantCells.clearChanged(db, key: key)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Pages rather than one message holding every tenant: the JSON of one page at a time.
        let pages = PublicationPages.split(publication, cellsPerPage: pageCells)
        for page in pages {
            let body: Data
            do { body = try encoder.encode(page.compacted()) } catch EncodingError.invalidValue(_, let context) {
                // JSON has no infinity: the encoder is where a non-finite figure shows.
                throw NonFiniteFigure(region: key.region, month: key.month, path: context.codingPath.map(\.stringValue).joined(separator: "."))
            }
            let header = EnvelopeHeader(
                id: MessageID.make(), type: RegionMonthPublication.messageType, source: source, correlationId: "\(key.region)/\(key.month)")
            try MessageStore.enqueue(db, header: header, body: body)
        }
        try db.execute(
            sql: "DELETE FROM dirty WHERE region = ? AND month = ?", arguments: [key.region, key.month.description])
        try CalculationFailures.clear(db, region: key.region, month: key.month)
        calculated.pages = pages.count
        return calculated
    }
}

/// What one recalculation produced, for the log.
struct CalculatedRegionMonth: Sendable {
    var version: Int
    /// Tenant cells of the region-month the round calculated (all, or those that could have
    /// changed).
    var tenantCells: Int
    /// Tenant cells the publication carried (all of them in a whole publication).
    var changedCells: Int
    /// Tenant cells a change set removed.
    var removedCells: Int
    var missingFactors: [MissingFactor]
    /// Messages the publication took (``PublicationPages``).
    var pages = 1
}

