import CarbonModel
import Foundation
import GRDB
import RecordParsing

extension CalculatorStore {
    /// The certificates of `month` (of `site`, or of every site) that were not applied to their
    /// site because they were produced in another grid, sorted by site, source and id. Reads
    /// every stored record whose bytes say it is a certificate (no index by kind yet).
    static func unappliedCertificates(_ db: Database, month: CalendarMonth, site siteFilter: String?, marketBoundary: MarketBoundary) throws
        -> [UnappliedCertificates.Entry]
    {
        // Raw SQL because the filter is a byte search in the stored encoding (instr on the BLOB),
        // which the query interface has no function for; LIKE does not look into BLOBs.
        let marker = Data(#""kind":"facility.certificate""#.utf8)
        var out: [UnappliedCertificates.Entry] = []
        var grids: [String: String] = [:]
        for data in try Data.fetchAll(db, sql: "SELECT normalized FROM records WHERE instr(normalized, ?) > 0", arguments: [marker]) {
            let record = try NormalizedRecord.decode(data)
            guard record.kind == .facilityCertificate, let grid = record.substance, let site = record.site,
                siteFilter.map({ $0 == site }) ?? true, record.start < month.end, record.end > month.start
            else { continue }
            if grids[site] == nil { grids[site] = try CalculatorStore.site(db, named: site)?.grid }
            guard let siteGrid = grids[site], siteGrid != grid else { continue }
            let micro = TimeSplitter.split(start: record.start, end: record.end, amount: record.amount, granularity: .hour)
                .filter { $0.start >= month.start && $0.start < month.end }.reduce(Int64(0)) { $0 + $1.amount }
            out.append(
                UnappliedCertificates.Entry(
                    source: record.source, id: record.id, site: site, siteGrid: siteGrid, grid: grid, kwh: Double(micro) / 1_000_000,
                    appliedMonthly: marketBoundary == .hourlyOnly, appliedHourly: false,
                    reason: "produced in grid \(grid), outside the market boundary of site \(site) (grid \(siteGrid))"))
        }
        return out.sorted { ($0.site, $0.source, $0.id) < ($1.site, $1.source, $1.id) }
    }
}
