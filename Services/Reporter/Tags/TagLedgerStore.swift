import CarbonModel
import Foundation
import GRDB

/// The reporter's copy of the tag parts of each region-month (``TagPart``), beside the ledger:
/// a tenant cell's parts are replaced with the cell (``TenantCellStore``), and their figures
/// follow the cell's (``DerivedTenantCells``).
enum TagLedgerStore {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporter-tags-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tag_ledger (
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        tenant TEXT NOT NULL,
                        product TEXT NOT NULL,
                        tag_key TEXT NOT NULL,
                        tag_value TEXT NOT NULL,
                        mode TEXT NOT NULL,
                        usage REAL NOT NULL,
                        scope1 REAL NOT NULL,
                        scope2_location REAL NOT NULL,
                        scope2_market REAL NOT NULL,
                        scope3 REAL NOT NULL,
                        energy_kwh REAL NOT NULL,
                        PRIMARY KEY (region, month, tenant, product, tag_key, tag_value)
                    ) WITHOUT ROWID;
                    CREATE INDEX tag_ledger_tenant ON tag_ledger (tenant, tag_key, month);
                    """)
        }
    }

    /// A tenant's parts for one key, and its tenant cells, in a period and mode.
    static func breakdown(_ db: Database, tenant: String, key: String, from: CalendarMonth?, to: CalendarMonth?, mode: ResultMode) throws
        -> TagBreakdownReport
    {
        func inPeriod(_ request: QueryInterfaceRequest<TagBreakdownRow>) -> QueryInterfaceRequest<TagBreakdownRow> {
            var request = request
            if let from { request = request.filter(TagBreakdownRow.Columns.month >= from.description) }
            if let to { request = request.filter(TagBreakdownRow.Columns.month <= to.description) }
            return request
        }
        let cells = try inPeriod(
            Table<TagBreakdownRow>("ledger").select(TagBreakdownRow.selection(tagged: false))
                .filter(Column("layer") == "tenant" && Column("tenant") == tenant && Column("mode") == mode.rawValue)
        ).fetchAll(db).map { $0.cell(value: TagBreakdown.untagged) }
        let parts = try inPeriod(
            Table<TagBreakdownRow>("tag_ledger").select(TagBreakdownRow.selection(tagged: true))
                .filter(Column("tenant") == tenant && Column("tag_key") == key && Column("mode") == mode.rawValue)
        ).fetchAll(db).map { $0.cell(value: $0.tagValue ?? TagBreakdown.untagged) }
        return TagBreakdownReport(tenantCells: cells, parts: parts)
    }

    /// The tag keys of `tenant`'s usage (in `mode`, when given) in the months from `from` to
    /// `to`, sorted. The parts themselves are read: the keys are theirs, whatever the figures.
    static func keys(_ db: Database, tenant: String, from: CalendarMonth, to: CalendarMonth, mode: ResultMode? = nil) throws -> [String] {
        var request = Table("tag_parts").select(Column("tag_key"), as: String.self).distinct()
            .filter(Column("tenant") == tenant && Column("month") >= from.description && Column("month") <= to.description)
        if let mode { request = request.filter(Column("mode") == mode.rawValue) }
        return try request.order(Column("tag_key")).fetchAll(db)
    }
}

/// A tenant cell (from the `ledger` view) or one of its tag parts (from the `tag_ledger` view)
/// with its usage and figures: what a tag breakdown is made of. Only read: both are views.
struct TagBreakdownRow: Decodable, Sendable, FetchableRecord {
    var region: String
    var month: String
    var product: String
    /// Nil for a tenant cell.
    var tagValue: String?
    var usage: Double?
    var scope1: Double
    var scope2Location: Double
    var scope2Market: Double
    var scope3: Double
    var energyKWh: Double
    /// Nil in rows from before these figures were kept.
    var scope2MarketHourly: Double?
    var cfeKWh: Double?
    var waterL: Double?

    enum CodingKeys: String, CodingKey {
        case region, month, product, usage, scope1, scope3
        case tagValue = "tag_value"
        case scope2Location = "scope2_location"
        case scope2Market = "scope2_market"
        case energyKWh = "energy_kwh"
        case scope2MarketHourly = "scope2_market_hourly"
        case cfeKWh = "cfe_kwh"
        case waterL = "water_l"
    }
    enum Columns {
        static let month = Column(CodingKeys.month)
    }

    /// The columns read: place, usage and every figure, and the tag value of a part.
    static func selection(tagged: Bool) -> [any SQLSelectable] {
        let place: [CodingKeys] = tagged ? [.region, .month, .product, .tagValue, .usage] : [.region, .month, .product, .usage]
        return place.map { Column($0) } + DerivedTenantCells.scopes.map { Column($0) }
    }

    func cell(value: String) -> TagBreakdownReport.Cell {
        TagBreakdownReport.Cell(
            region: region, month: month, product: product, value: value, usage: usage ?? 0,
            figures: EmissionFigures(
                scope1: scope1, scope2Location: scope2Location, scope2Market: scope2Market, scope3: scope3, energyKWh: energyKWh,
                scope2MarketHourly: scope2MarketHourly ?? 0, cfeKWh: cfeKWh ?? 0, waterL: waterL ?? 0))
    }
}
