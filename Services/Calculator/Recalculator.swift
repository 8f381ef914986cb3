import CarbonModel
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

    func run() async throws {
        while !Task.isCancelled {
            let calculated = try await runOnce()
            if calculated == 0 {
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// One pass over what is due; returns how many region-months were calculated.
    func runOnce() async throws -> Int {
        let now = CalculatorStore.nowMilliseconds()
        let settledBefore = now - settleMilliseconds
        let waitedBefore = now - maxWaitMilliseconds
        let due: [RegionMonthKey] = try await database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT region, month FROM dirty
                    WHERE last_marked_ms <= ? OR first_marked_ms <= ? ORDER BY month, region LIMIT 64
                    """,
                arguments: [settledBefore, waitedBefore]
            ).compactMap { row in
                guard let month = CalendarMonth(row["month"] as String) else { return nil }
                return RegionMonthKey(region: row["region"], month: month)
            }
        }
        var count = 0
        for key in due {
            do {
                let started = ContinuousClock.now
                let published = try await database.write { db in try calculate(db, key: key) }
                count += 1
                publisher.notify()
                metrics.recordsProcessed.increment()
                logger.info(
                    "region-month calculated",
                    metadata: [
                        "region": "\(key.region)", "month": "\(key.month)", "version": "\(published.version)",
                        "tenants": "\(published.result.tenants.count)", "elapsed": "\(ContinuousClock.now - started)",
                    ])
                for missing in published.result.missingFactors {
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

    private func calculate(_ db: Database, key: RegionMonthKey) throws -> RegionMonthPublication {
        let input = try RegionMonthInputBuilder.build(
            db, key: key, factors: FactorResolver(defaultFactors + (try CalculatorStore.factors(db))), products: try CalculatorStore.products(db),
            quality: quality)
        var result = AccountingEngine.calculate(input)
        result.hourly = HourlyBreakdown.series(input, result: result)
        let version = (try Int.fetchOne(
            db, sql: "SELECT version FROM results WHERE region = ? AND month = ?", arguments: [key.region, key.month.description]) ?? 0) + 1
        var publication = RegionMonthPublication(
            region: key.region, month: key.month, version: version, calculatedAt: MessageClock.timestamp(), result: result)
        let tagParts = try TagUsageLedger.parts(db, key: key, tenants: result.tenants)
        publication.tagParts = tagParts.isEmpty ? nil : tagParts
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body: Data
        do { body = try encoder.encode(publication) } catch EncodingError.invalidValue(_, let context) {
            // JSON has no infinity: the encoder is where a non-finite figure shows.
            throw NonFiniteFigure(region: key.region, month: key.month, path: context.codingPath.map(\.stringValue).joined(separator: "."))
        }
        try db.execute(
            sql: """
                INSERT INTO results (region, month, version, calculated_at, result) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (region, month) DO UPDATE SET version = excluded.version, calculated_at = excluded.calculated_at, result = excluded.result
                """,
            arguments: [key.region, key.month.description, version, publication.calculatedAt, body])
        let header = EnvelopeHeader(
            id: MessageID.make(), type: RegionMonthPublication.messageType, source: source, correlationId: "\(key.region)/\(key.month)")
        try MessageStore.enqueue(db, header: header, body: body)
        try db.execute(
            sql: "DELETE FROM dirty WHERE region = ? AND month = ?", arguments: [key.region, key.month.description])
        try CalculationFailures.clear(db, region: key.region, month: key.month)
        return publication
    }
}
