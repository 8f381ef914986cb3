import CarbonModel
import Contracts
import Foundation
import GRDB

/// Writes the tenant cells of a publication, with their tag parts and (estimated cells) hours:
/// every cell of a whole publication, or the cells a change set changes and removes. A cell
/// replaced or removed moves to `tenant_cells_superseded` with the versions it was in force
/// for. Measured cells are stored without figures (``DerivedTenantCells``).
enum TenantCellStore {
    // Raw SQL throughout: this runs once per delivered tenant cell (and tag part) on the path measured by
    // scripts/bench (provider mix); cached prepared statements and INSERT … SELECT moves keep per-cell CPU down.
    static let supersedeColumns = """
        region, month, tenant, product, mode, usage, since_version, scope1, scope2_location, scope2_market, scope3, energy_kwh,
            share, quality_filled, quality_flagged, quality_estimated, scope2_market_hourly, cfe_kwh, quality_profiled, water_l
        """

    /// Before a whole publication: every tenant cell of the region-month that the publishing
    /// partition owns (all of them, for a single calculator) is replaced (and stays as
    /// superseded, until ledger version `version`), with its tag parts and hours.
    static func removeAll(_ db: Database, region: String, month: String, version: Int, partition: CalculatorPartition = .whole) throws {
        guard partition.count > 1 else {
            try db.execute(
                sql: """
                    INSERT INTO tenant_cells_superseded (\(supersedeColumns), until_version)
                    SELECT \(supersedeColumns), ? FROM tenant_cells WHERE region = ? AND month = ?
                    """,
                arguments: [version, region, month])
            for table in ["tenant_cells", "tag_parts"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE region = ? AND month = ?", arguments: [region, month])
            }
            try UniformHours.deleteTenant(db, region: region, month: month)
            return
        }
        // Cells belong to the partition of their product (``CalculatorPartition``).
        let products = try String.fetchAll(db, sql: "SELECT DISTINCT product FROM tenant_cells WHERE region = ? AND month = ?", arguments: [region, month])
        for product in products where partition.owns(product: product, in: region) {
            try db.execute(
                sql: """
                    INSERT INTO tenant_cells_superseded (\(supersedeColumns), until_version)
                    SELECT \(supersedeColumns), ? FROM tenant_cells WHERE region = ? AND month = ? AND product = ?
                    """,
                arguments: [version, region, month, product])
            for table in ["tenant_cells", "tag_parts"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE region = ? AND month = ? AND product = ?", arguments: [region, month, product])
            }
            try UniformHours.deleteTenant(db, region: region, month: month, product: product)
        }
    }

    /// Applies the tenant cells of one message of a version (the whole publication, or a page)
    /// as ledger version `version`: in a change set, the cells it carries or removes replace
    /// those held; then its cells, tag parts and tenant hours are written. Call from
    /// ``LedgerStore/apply(_:_:)``, after the product rows of the new version.
    static func apply(_ db: Database, _ publication: RegionMonthPublication, version: Int) throws {
        let region = publication.region
        let month = publication.month.description
        if publication.baseVersion != nil {
            let supersede = try db.cachedStatement(
                sql: """
                    INSERT INTO tenant_cells_superseded (\(supersedeColumns), until_version)
                    SELECT \(supersedeColumns), ? FROM tenant_cells
                    WHERE region = ? AND month = ? AND tenant = ? AND product = ? AND mode = ?
                    """)
            let deleteCell = try db.cachedStatement(
                sql: "DELETE FROM tenant_cells WHERE region = ? AND month = ? AND tenant = ? AND product = ? AND mode = ?")
            let deleteParts = try db.cachedStatement(
                sql: "DELETE FROM tag_parts WHERE region = ? AND month = ? AND tenant = ? AND product = ? AND mode = ?")
            let replaced =
                publication.result.tenants.map(TenantCellRef.init)
                + (publication.measuredCells ?? []).map { TenantCellRef(tenant: $0.tenant, product: $0.product, mode: .measured) }
                + (publication.removedTenants ?? [])
            for cell in replaced {
                let key: StatementArguments = [region, month, cell.tenant, cell.product, cell.mode.rawValue]
                try supersede.execute(arguments: [version] + key)
                try deleteCell.execute(arguments: key)
                try deleteParts.execute(arguments: key)
                if cell.mode == .estimated { try UniformHours.deleteTenant(db, region: region, month: month, product: cell.product, tenant: cell.tenant) }
            }
        }
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO tenant_cells (region, month, tenant, product, mode, usage, since_version, scope1, scope2_location,
                    scope2_market, scope3, energy_kwh, share, quality_filled, quality_flagged, quality_estimated, scope2_market_hourly, cfe_kwh,
                    quality_profiled, water_l)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for cell in publication.measuredCells ?? [] {
            // Derived from the product row: usage / D × E(p,r) (``DerivedTenantCells``).
            try insert.execute(arguments: [
                region, month, cell.tenant, cell.product, ResultMode.measured.rawValue, cell.usage, version, nil, nil, nil, nil, nil, nil, nil,
                nil, nil, nil, nil, nil, nil,
            ])
        }
        for cell in publication.result.tenants {
            if cell.mode == .measured {
                // Derived from the product row: usage / D × E(p,r) (``DerivedTenantCells``).
                try insert.execute(arguments: [
                    region, month, cell.tenant, cell.product, cell.mode.rawValue, cell.usage, version, nil, nil, nil, nil, nil, nil, nil, nil, nil,
                    nil, nil, nil, nil,
                ])
            } else {
                let f = cell.figures
                let q = LedgerStore.qualityParts(cell.quality, total: f.totalLocation, mode: cell.mode)
                try insert.execute(arguments: [
                    region, month, cell.tenant, cell.product, cell.mode.rawValue, cell.usage, version, f.scope1, f.scope2Location,
                    f.scope2Market, f.scope3, f.energyKWh, cell.share, q.filled, q.flagged, q.estimated, f.scope2MarketHourly, f.cfeKWh,
                    q.profiled, f.waterL,
                ])
            }
        }
        let part = try db.cachedStatement(
            sql: """
                INSERT INTO tag_parts (region, month, tenant, product, mode, tag_key, tag_value, usage, share, scope1, scope2_location,
                    scope2_market, scope3, energy_kwh, scope2_market_hourly, cfe_kwh, water_l) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (region, month, tenant, product, mode, tag_key, tag_value) DO UPDATE SET usage = excluded.usage,
                    share = excluded.share, scope1 = excluded.scope1, scope2_location = excluded.scope2_location,
                    scope2_market = excluded.scope2_market, scope3 = excluded.scope3, energy_kwh = excluded.energy_kwh,
                    scope2_market_hourly = excluded.scope2_market_hourly, cfe_kwh = excluded.cfe_kwh, water_l = excluded.water_l
                """)
        for share in publication.tagShares ?? [] {
            try part.execute(arguments: [
                region, month, share.tenant, share.product, share.mode.rawValue, share.key, share.value, share.usage, share.share, nil, nil, nil,
                nil, nil, nil, nil, nil,
            ])
        }
        for tagPart in publication.tagParts ?? [] {
            if let share = tagPart.share {
                try part.execute(arguments: [
                    region, month, tagPart.tenant, tagPart.product, tagPart.mode.rawValue, tagPart.key, tagPart.value, tagPart.usage, share,
                    nil, nil, nil, nil, nil, nil, nil, nil,
                ])
            } else {
                // A publication from before change sets: the part's figures as sent.
                let f = tagPart.figures
                try part.execute(arguments: [
                    region, month, tagPart.tenant, tagPart.product, tagPart.mode.rawValue, tagPart.key, tagPart.value, tagPart.usage, nil,
                    f.scope1, f.scope2Location, f.scope2Market, f.scope3, f.energyKWh, f.scope2MarketHourly, f.cfeKWh, f.waterL,
                ])
            }
        }
        try UniformHours.insert(db, publication.result.hourly.filter { $0.layer == "tenant" }, region: region, month: publication.month)
    }
}
