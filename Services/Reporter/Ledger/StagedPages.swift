import CarbonModel
import Contracts
import Foundation
import GRDB

/// The pages of a version that arrived before its last page (``PublicationPages``), kept as
/// they came until the last one applies the whole version in one transaction — so a query
/// never sees half a version, and no more than one page is ever decoded at a time.
enum StagedPages {
    /// More pages than any region-month can need (a billion tenant cells at the smallest page
    /// size the calculator would use is far beyond it): a larger count is a broken message.
    static let maximumPages = 1_000_000

    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporter-staged-pages-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE staged_pages (
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        page INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        PRIMARY KEY (region, month, version, page)
                    ) WITHOUT ROWID;
                    """)
        }
    }

    /// Keeps a page that is not the last of its version, unless the ledger already holds that
    /// version or a newer one. Returns whether it was kept.
    static func stage(_ db: Database, _ page: RegionMonthPublication, body: Data) throws -> Bool {
        guard let number = page.page, let pages = page.pages, (1..<pages).contains(number), pages <= maximumPages else {
            throw InvalidPage(region: page.region, month: page.month.description, version: page.version, page: page.page, pages: page.pages)
        }
        let part = page.partition?.index ?? 0
        let held = try PartitionVersions.held(db, region: page.region, month: page.month.description, part: part)
        if let held, held >= page.version { return false }
        // A page delivered again keeps the bytes it was first staged with.
        try StagedPageRow(region: page.region, month: page.month.description, part: part, version: page.version, page: number, body: body)
            .insert(db, onConflict: .ignore)
        return true
    }

    /// The numbers of the staged pages of a partition's version that come before page `last`, in order.
    static func numbers(_ db: Database, region: String, month: String, part: Int, version: Int, before last: Int) throws -> [Int] {
        try StagedPageRow.version(region: region, month: month, part: part, version: version)
            .filter(StagedPageRow.Columns.page < last).select(StagedPageRow.Columns.page, as: Int.self).order(StagedPageRow.Columns.page)
            .fetchAll(db)
    }

    static func load(_ db: Database, region: String, month: String, part: Int, version: Int, page: Int) throws -> RegionMonthPublication {
        guard
            let staged = try StagedPageRow.fetchOne(
                db, key: ["region": region, "month": month, "part": part, "version": version, "page": page])
        else { throw MissingPages(region: region, month: month, version: version, missing: [page]) }
        return try JSONDecoder().decode(RegionMonthPublication.self, from: staged.body)
    }

    /// Forgets the pages of a partition's versions up to `version` (applied, or replaced by it).
    static func discard(_ db: Database, region: String, month: String, part: Int, through version: Int) throws {
        try StagedPageRow
            .filter(
                StagedPageRow.Columns.region == region && StagedPageRow.Columns.month == month && StagedPageRow.Columns.part == part
                    && StagedPageRow.Columns.version <= version
            )
            .deleteAll(db)
    }
}

/// A page of a version kept until its last page arrives: a row of `staged_pages`, with the
/// page's message as it came.
struct StagedPageRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "staged_pages"
    var region: String
    var month: String
    /// The calculator partition that published the page (0 for a single calculator).
    var part: Int
    var version: Int
    var page: Int
    /// The message's bytes (a `RegionMonthPublication` as JSON).
    var body: Data

    enum Columns {
        static let region = Column(CodingKeys.region)
        static let month = Column(CodingKeys.month)
        static let part = Column(CodingKeys.part)
        static let version = Column(CodingKeys.version)
        static let page = Column(CodingKeys.page)
    }

    /// The staged pages of one version of a partition's part of a region-month.
    static func version(region: String, month: String, part: Int, version: Int) -> QueryInterfaceRequest<StagedPageRow> {
        filter(Columns.region == region && Columns.month == month && Columns.part == part && Columns.version == version)
    }
}

/// A page whose number is not within its version's pages (or not a page at all).
struct InvalidPage: Error, CustomStringConvertible {
    var region: String
    var month: String
    var version: Int
    var page: Int?
    var pages: Int?

    var description: String {
        "page \(page.map(String.init) ?? "none") of \(pages.map(String.init) ?? "none") of version \(version) of \(region)/\(month) is not a page before the last of 1…\(StagedPages.maximumPages)"
    }
}

/// The last page of a version arrived before some of the others: it is not acknowledged, so it
/// comes again once they have been staged.
struct MissingPages: Error, CustomStringConvertible {
    var region: String
    var month: String
    var version: Int
    var missing: [Int]

    var description: String {
        "version \(version) of \(region)/\(month) is missing page(s) \(missing.map(String.init).joined(separator: ", "))"
    }
}
