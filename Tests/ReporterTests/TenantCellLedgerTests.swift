import CarbonModel
import Contracts
import Foundation
import GRDB
import Messaging
import Testing

@testable import Reporter

/// The reporter's ledger with derived tenant cells, on a store of its own: publications are
/// applied as the delivery loop applies them, and the `ledger`, `ledger_superseded` and
/// `tag_ledger` views are read back.
@Suite struct TenantCellLedgerTests {
    static let month = CalendarMonth(year: 2024, month: 1)

    func store(upTo last: String? = nil) throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        MessageStore.registerMigrations(&migrator)
        ReporterMigrations.register(&migrator)
        if let last { try migrator.migrate(queue, upTo: last) } else { try migrator.migrate(queue) }
        return queue
    }

    /// E(ecs) with figures that do not divide evenly, and its quality shares.
    static func product(_ figures: EmissionFigures, usage: Double, denominator: Double) -> ProductRegionResult {
        ProductRegionResult(
            product: "ecs", region: "r1", month: month, basis: .capacity, figures: figures,
            unallocated: figures.scaled(by: (denominator - usage) / denominator), usage: usage, capacity: denominator,
            denominator: denominator, quality: QualityShares(measured: 0.7, filled: 0.1, flagged: 0.2, estimated: 0))
    }

    /// Tenant cells exactly as ``AccountingEngine`` makes them: `figures.scaled(by: usage / D)`.
    static func tenants(_ usage: [String: Double], of product: ProductRegionResult) -> [TenantResult] {
        usage.sorted { $0.key < $1.key }.map { tenant, amount in
            let share = amount / product.denominator
            return TenantResult(
                tenant: tenant, product: "ecs", region: "r1", month: month, figures: product.figures.scaled(by: share), usage: amount,
                share: share, quality: product.quality)
        }
    }

    static func publication(
        version: Int, base: Int?, at instant: String, product: ProductRegionResult, tenants: [TenantResult], removed: [TenantCellRef] = [],
        tagParts: [TagPart] = []
    ) -> RegionMonthPublication {
        var publication = RegionMonthPublication(
            region: "r1", month: month, version: version, calculatedAt: instant,
            result: RegionMonthResult(region: "r1", month: month, productRegions: [product], tenants: tenants))
        publication.baseVersion = base
        publication.removedTenants = base == nil ? nil : removed
        publication.tagParts = tagParts.isEmpty ? nil : tagParts
        publication.factorsUsed = []
        return publication
    }

    func tenantRows(_ db: Database, _ sql: String = "SELECT * FROM ledger WHERE layer = 'tenant'", arguments: StatementArguments = [])
        throws -> [String: Row]
    {
        Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: sql, arguments: arguments).map { ($0["tenant"] as String, $0) })
    }

    /// The row's figures and quality parts equal the engine's cell bit for bit.
    func expectExact(_ row: Row?, _ cell: TenantResult, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let row else {
            Issue.record("\(what): no row for \(cell.tenant)", sourceLocation: sourceLocation)
            return
        }
        let f = cell.figures
        let stored = EmissionFigures(
            scope1: row["scope1"], scope2Location: row["scope2_location"], scope2Market: row["scope2_market"], scope3: row["scope3"],
            energyKWh: row["energy_kwh"])
        #expect(stored == f, "\(what): \(cell.tenant) \(stored) ≠ \(f)", sourceLocation: sourceLocation)
        #expect(row["share"] as Double == cell.share, "\(what): share", sourceLocation: sourceLocation)
        #expect(row["usage"] as Double == cell.usage, "\(what): usage", sourceLocation: sourceLocation)
        let q = LedgerStore.qualityParts(cell.quality, total: f.totalLocation, mode: cell.mode)
        #expect(
            (row["quality_filled"] as Double, row["quality_flagged"] as Double, row["quality_estimated"] as Double, row["quality_profiled"] as Double)
                == (q.filled, q.flagged, q.estimated, q.profiled),
            "\(what): quality parts", sourceLocation: sourceLocation)
    }

    @Test func derivedTenantCellsAreTheEnginesBitForBitInEveryVersion() throws {
        let queue = try store()
        let e1 = EmissionFigures(scope1: 0.1, scope2Location: 1.0 / 3.0, scope2Market: 7.77, scope3: 1e-7, energyKWh: 123.456)
        let p1 = Self.product(e1, usage: 7, denominator: 9.3)
        let v1 = Self.tenants(["a": 1, "b": 2, "c": 4], of: p1)
        // Version 2: new facility data (E changes), a uses more, c is gone; b is not sent.
        let e2 = EmissionFigures(scope1: 0.3, scope2Location: 2.0 / 7.0, scope2Market: 9.1, scope3: 3e-7, energyKWh: 200.01)
        let p2 = Self.product(e2, usage: 5, denominator: 9.3)
        let v2 = Self.tenants(["a": 3, "b": 2], of: p2)
        try queue.write { db in
            #expect(try LedgerStore.apply(db, Self.publication(version: 1, base: nil, at: "2024-02-01T00:00:00Z", product: p1, tenants: v1)))
            let rows = try tenantRows(db)
            for cell in v1 { expectExact(rows[cell.tenant], cell, "version 1") }
            let changed = v2.filter { $0.tenant == "a" }
            #expect(
                try LedgerStore.apply(
                    db,
                    Self.publication(
                        version: 2, base: 1, at: "2024-02-02T00:00:00Z", product: p2, tenants: changed,
                        removed: [TenantCellRef(tenant: "c", product: "ecs", mode: .measured)])))
            let current = try tenantRows(db)
            #expect(Set(current.keys) == ["a", "b"])
            for cell in v2 { expectExact(current[cell.tenant], cell, "version 2") }
            // Version 1 as it was in force, from the superseded view.
            let superseded = try tenantRows(
                db, "SELECT * FROM ledger_superseded WHERE layer = 'tenant' AND version = ?", arguments: [1])
            #expect(Set(superseded.keys) == ["a", "b", "c"])
            for cell in v1 { expectExact(superseded[cell.tenant], cell, "version 1 superseded") }
            // Only the changed and removed cells were copied: b's row is the one of version 1.
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tenant_cells_superseded") == 2)
            #expect(try Int.fetchOne(db, sql: "SELECT since_version FROM tenant_cells WHERE tenant = 'b'") == 1)
        }
    }

    @Test func aChangeSetThatSkipsAVersionIsRefusedAndChangesNothing() throws {
        let queue = try store()
        let p = Self.product(EmissionFigures(scope1: 1, scope2Location: 2, scope2Market: 3, scope3: 4, energyKWh: 5), usage: 2, denominator: 2)
        try queue.write { db in
            _ = try LedgerStore.apply(db, Self.publication(version: 1, base: nil, at: "2024-02-01T00:00:00Z", product: p, tenants: Self.tenants(["a": 2], of: p)))
        }
        let skipping = Self.publication(version: 3, base: 2, at: "2024-02-03T00:00:00Z", product: p, tenants: Self.tenants(["b": 2], of: p))
        #expect(throws: LedgerGap.self) { try queue.write { db in _ = try LedgerStore.apply(db, skipping) } }
        let held = try queue.read { db in (try Int.fetchOne(db, sql: "SELECT version FROM versions"), Set(try tenantRows(db).keys)) }
        #expect(held.0 == 1)
        #expect(held.1 == ["a"])
        // An older or repeated version is ignored, as before.
        let applied = try queue.write { db in
            try LedgerStore.apply(db, Self.publication(version: 1, base: nil, at: "2024-02-01T00:00:00Z", product: p, tenants: []))
        }
        #expect(!applied)
    }

    @Test func tagPartsFollowTheirCellsFiguresAndGoWithIt() throws {
        let queue = try store()
        let e1 = EmissionFigures(scope1: 1, scope2Location: 10, scope2Market: 20, scope3: 0, energyKWh: 100)
        let p1 = Self.product(e1, usage: 4, denominator: 4)
        let cell = Self.tenants(["a": 4], of: p1)
        func part(_ value: String, usage: Double) -> TagPart {
            TagPart(
                tenant: "a", product: "ecs", region: "r1", month: Self.month, key: "project", value: value, usage: usage,
                figures: .zero, mode: .measured, share: usage / 4)
        }
        try queue.write { db in
            _ = try LedgerStore.apply(
                db,
                Self.publication(
                    version: 1, base: nil, at: "2024-02-01T00:00:00Z", product: p1, tenants: cell, tagParts: [part("x", usage: 1), part("y", usage: 3)]))
            // E doubles with no change of a: its parts double with it.
            let p2 = Self.product(e1.scaled(by: 2), usage: 4, denominator: 4)
            _ = try LedgerStore.apply(db, Self.publication(version: 2, base: 1, at: "2024-02-02T00:00:00Z", product: p2, tenants: []))
            let parts = Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT tag_value, scope2_location FROM tag_ledger").map {
                    ($0["tag_value"] as String, $0["scope2_location"] as Double)
                })
            #expect(parts == ["x": 5, "y": 15])
            _ = try LedgerStore.apply(
                db,
                Self.publication(
                    version: 3, base: 2, at: "2024-02-03T00:00:00Z", product: p2, tenants: [],
                    removed: [TenantCellRef(tenant: "a", product: "ecs", mode: .measured)]))
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tag_ledger") == 0)
        }
    }

    @Test func rowsWrittenBeforeDerivedCellsKeepTheirFigures() throws {
        let queue = try store(upTo: "reporter-tags-v1")
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO versions (region, month, version, calculated_at, calculated_ms) VALUES ('r1', '2024-01', 4, 'x', 1000);
                    INSERT INTO ledger (layer, region, month, product, mode, scope1, scope2_location, scope2_market, scope3, energy_kwh, usage)
                        VALUES ('product', 'r1', '2024-01', 'ecs', 'measured', 1, 2, 3, 4, 5, 10);
                    INSERT INTO ledger (layer, region, month, product, tenant, mode, scope1, scope2_location, scope2_market, scope3,
                        energy_kwh, usage, share, quality_filled) VALUES ('tenant', 'r1', '2024-01', 'ecs', 'a', 'measured', 0.11, 0.22, 0.33,
                        0.44, 0.55, 1, 0.1, 0.01);
                    INSERT INTO ledger_superseded (layer, region, month, product, tenant, mode, scope1, scope2_location, scope2_market,
                        scope3, energy_kwh, unallocated_scope1, unallocated_scope2_location, unallocated_scope2_market, unallocated_scope3,
                        unallocated_energy_kwh, usage, share, version, in_force_from_ms, in_force_until_ms)
                        VALUES ('tenant', 'r1', '2024-01', 'ecs', 'a', 'measured', 9, 9, 9, 9, 9, 0, 0, 0, 0, 0, 1, 0.1, 3, 0, 1000);
                    INSERT INTO tag_ledger (region, month, tenant, product, tag_key, tag_value, mode, usage, scope1, scope2_location,
                        scope2_market, scope3, energy_kwh) VALUES ('r1', '2024-01', 'a', 'ecs', 'project', 'x', 'measured', 1, 0.1, 0.2, 0.3,
                        0.4, 0.5);
                    """)
        }
        var migrator = DatabaseMigrator()
        MessageStore.registerMigrations(&migrator)
        ReporterMigrations.register(&migrator)
        try migrator.migrate(queue)
        try queue.read { db in
            let current = try #require(try Row.fetchOne(db, sql: "SELECT * FROM ledger WHERE layer = 'tenant'"))
            #expect(current["scope2_location"] as Double == 0.22 && current["share"] as Double == 0.1 && current["quality_filled"] as Double == 0.01)
            let old = try #require(try Row.fetchOne(db, sql: "SELECT * FROM ledger_superseded WHERE layer = 'tenant'"))
            #expect(old["scope1"] as Double == 9 && old["version"] as Int == 3)
            #expect(try Double.fetchOne(db, sql: "SELECT scope3 FROM tag_ledger") == 0.4)
            #expect(try Double.fetchOne(db, sql: "SELECT scope1 FROM ledger WHERE layer = 'product'") == 1)
        }
    }
}

/// Uniform hourly series are stored once and read back hour by hour.
@Suite struct UniformHoursTests {
    @Test func aUniformSeriesIsOneRowAndReadsAsEveryHour() throws {
        let queue = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        MessageStore.registerMigrations(&migrator)
        ReporterMigrations.register(&migrator)
        try migrator.migrate(queue)
        let month = CalendarMonth(year: 2030, month: 2)
        let hours = Int((month.end - month.start) / 3600)
        let hour = EmissionFigures(scope1: 0, scope2Location: 0, scope2Market: 0, scope3: 0.125, energyKWh: 0)
        var varied = Array(repeating: EmissionFigures.zero, count: hours)
        varied[5].scope2Location = 2
        var publication = RegionMonthPublication(
            region: "r1", month: month, version: 1, calculatedAt: "2030-03-01T00:00:00Z",
            result: RegionMonthResult(
                region: "r1", month: month,
                hourly: [
                    HourlySeries(layer: "product", product: "ecs", hours: Array(repeating: hour, count: hours)),
                    HourlySeries(layer: "site", site: "s1", hours: varied),
                ]))
        publication.factorsUsed = []
        try queue.write { db in
            _ = try LedgerStore.apply(db, publication)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM hourly_uniform") == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM hourly_rows") == 1)
            let product = try Row.fetchAll(db, sql: "SELECT hour, scope3 FROM ledger_hourly WHERE layer = 'product' ORDER BY hour")
            #expect(product.count == hours)
            #expect(product.first?["hour"] as Int64? == month.start)
            #expect(product.last?["hour"] as Int64? == month.end - 3600)
            #expect(product.allSatisfy { $0["scope3"] as Double == 0.125 })
            // A new version replaces both kinds of rows.
            var next = publication
            next.version = 2
            next.calculatedAt = "2030-03-02T00:00:00Z"
            next.result.hourly = []
            _ = try LedgerStore.apply(db, next)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_hourly") == 0)
        }
    }
}

/// A paged version is staged page by page and applied whole by its last page.
@Suite struct PagedVersionTests {
    @Test func pagesApplyAsOneVersionAndALastPageWithoutTheOthersIsRefused() throws {
        let month = TenantCellLedgerTests.month
        let product = TenantCellLedgerTests.product(
            EmissionFigures(scope1: 0.1, scope2Location: 1.0 / 3.0, scope2Market: 7, scope3: 0, energyKWh: 9), usage: 10, denominator: 10)
        let cells = TenantCellLedgerTests.tenants(["a": 1, "b": 2, "c": 3, "d": 4], of: product)
        let whole = TenantCellLedgerTests.publication(version: 1, base: nil, at: "2024-02-01T00:00:00Z", product: product, tenants: cells)
        let pages = PublicationPages.split(whole, cellsPerPage: 1)
        let allPages = pages
        #expect(pages.count == 5)

        func store() throws -> DatabaseQueue {
            let queue = try DatabaseQueue()
            var migrator = DatabaseMigrator()
            MessageStore.registerMigrations(&migrator)
            ReporterMigrations.register(&migrator)
            try migrator.migrate(queue)
            return queue
        }
        let paged = try store(), single = try store()
        // The single message in its compact form (as the calculator sends it), the pages not.
        try single.write { db in _ = try LedgerStore.apply(db, whole.compacted()) }
        // The last page first: refused, nothing changes.
        let last = try #require(pages.last)
        #expect(throws: MissingPages.self) { try paged.write { db in _ = try LedgerStore.apply(db, last) } }
        try paged.write { (db: Database) throws -> Void in
            for page in pages.dropLast() {
                #expect(try StagedPages.stage(db, page, body: JSONEncoder().encode(page)))
                // Nothing shows before the last page.
                #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger") == 0)
            }
            #expect(try LedgerStore.apply(db, last))
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM staged_pages") == 0)
        }
        let sql = "SELECT layer, tenant, scope1, scope2_location, share, usage FROM ledger ORDER BY layer, tenant"
        let a = try paged.read { try Row.fetchAll($0, sql: sql) }
        let b = try single.read { try Row.fetchAll($0, sql: sql) }
        #expect(a == b)
        #expect(a.count == 5)
        // Broken page numbers are refused without building anything their size.
        var huge = last
        huge.version = 2
        huge.pages = Int.max
        huge.page = Int.max
        #expect(throws: InvalidPage.self) { try paged.write { db in _ = try LedgerStore.apply(db, huge) } }
        for (page, pages) in [(0, 5), (5, 5), (7, 5), (1, Int.max)] as [(Int, Int)] {
            var broken = pages == Int.max ? huge : allPages[0]
            broken.version = 2
            broken.page = page
            broken.pages = pages
            #expect(throws: InvalidPage.self, "page \(page) of \(pages)") { try paged.write { db in _ = try StagedPages.stage(db, broken, body: Data()) } }
        }
        var lonely = last
        lonely.version = 2
        lonely.pages = 1_000
        lonely.page = 1_000
        do {
            try paged.write { db in _ = try LedgerStore.apply(db, lonely) }
            Issue.record("a last page without its pages was applied")
        } catch let error as MissingPages {
            #expect(error.missing == Array(1...10), "the first ten missing pages are named")
        }
        // A page of a version already held is not kept.
        let kept = try paged.write { db in try StagedPages.stage(db, pages[0], body: Data()) }
        #expect(!kept)
        _ = month
    }
}
