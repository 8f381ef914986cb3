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
        try db.execute(
            sql: "INSERT INTO staged_pages (region, month, part, version, page, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            arguments: [page.region, page.month.description, part, page.version, number, body])
        return true
    }

    /// The numbers of the staged pages of a partition's version that come before page `last`, in order.
    static func numbers(_ db: Database, region: String, month: String, part: Int, version: Int, before last: Int) throws -> [Int] {
        try Int.fetchAll(
            db, sql: "SELECT page FROM staged_pages WHERE region = ? AND month = ? AND part = ? AND version = ? AND page < ? ORDER BY page",
            arguments: [region, month, part, version, last])
    }

    static func load(_ db: Database, region: String, month: String, part: Int, version: Int, page: Int) throws -> RegionMonthPublication {
        guard
            let body = try Data.fetchOne(
                db, sql: "SELECT body FROM staged_pages WHERE region = ? AND month = ? AND part = ? AND version = ? AND page = ?",
                arguments: [region, month, part, version, page])
        else { throw MissingPages(region: region, month: month, version: version, missing: [page]) }
        return try JSONDecoder().decode(RegionMonthPublication.self, from: body)
    }

    /// Forgets the pages of a partition's versions up to `version` (applied, or replaced by it).
    static func discard(_ db: Database, region: String, month: String, part: Int, through version: Int) throws {
        try db.execute(
            sql: "DELETE FROM staged_pages WHERE region = ? AND month = ? AND part = ? AND version <= ?", arguments: [region, month, part, version])
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
