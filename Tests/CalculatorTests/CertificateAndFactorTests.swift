import CarbonModel
import Foundation
import GRDB
import Testing

@testable import Calculator

/// The store-level logic behind two of the calculator's routes, in process: the certificates
/// left out of a site's market boundary (`GET /v1/certificates/unapplied`, docs/model.md §9)
/// with what they do to the figures, and the factor library (`GET /v1/factors`, §5).
@Suite final class CertificateAndFactorTests {
    let store: CalculatorTestStore
    let january = Given.january, february = Given.february

    init() throws {
        store = try CalculatorTestStore()
        try store.declare(sites: [SiteDeclaration(site: "s1", region: "r1", grid: "G1"), SiteDeclaration(site: "s2", region: "r2", grid: "G2")])
    }

    /// Site s1 (grid G1) draws 1,000 kWh in January, priced at G1's grid factor of 0.5 kg
    /// CO2e/kWh (no residual mix, so r(h) is the grid factor). Its certificates of January:
    /// 200 kWh produced in G1 and 50 kWh naming no grid (both inside its boundary); 100 kWh
    /// produced in G2; and 24 kWh of one produced in G2 from 31 January to 2 February
    /// (48 kWh over 48 hours, 1 kWh an hour). Site s2 (grid G2) has 10 kWh produced in G1.
    func loadCertificates() throws {
        let start = january.start
        let end = january.end
        let edge = february.start - 24 * Given.hour
        try store.declare(factors: [Given.factor("grid.G1", "electricity", grid: "G1", 0.5)])
        try store.apply([
            Given.record("grid", .facilityElectricity, from: start, to: end, micro: Given.micro(1_000), unit: "kWh"),
            Given.record("rec-g1", .facilityCertificate, from: start, to: end, micro: Given.micro(200), unit: "kWh", substance: "G1"),
            Given.record("rec-plain", .facilityCertificate, from: start, to: end, micro: Given.micro(50), unit: "kWh"),
            Given.record("rec-g2", .facilityCertificate, from: start, to: end, micro: Given.micro(100), unit: "kWh", substance: "G2"),
            Given.record(
                "rec-g2-edge", .facilityCertificate, from: edge, to: edge + 48 * Given.hour, micro: Given.micro(48), unit: "kWh", substance: "G2"),
            Given.record(
                "rec-feb", .facilityCertificate, from: february.start, to: february.end, micro: Given.micro(30), unit: "kWh", substance: "G2"),
            Given.record(
                "rec-s2", .facilityCertificate, from: start, to: end, micro: Given.micro(10), unit: "kWh", site: "s2", region: "r2", substance: "G1"),
        ])
    }

    @Test func certificatesOfAnotherGridAreListedWithTheirKWhInTheMonth() throws {
        try loadCertificates()
        let (all, s2Only, feb, both) = try store.database.read { db in
            (
                try CalculatorStore.unappliedCertificates(db, month: january, site: nil, marketBoundary: .hourlyOnly),
                try CalculatorStore.unappliedCertificates(db, month: january, site: "s2", marketBoundary: .hourlyOnly),
                try CalculatorStore.unappliedCertificates(db, month: february, site: nil, marketBoundary: .hourlyOnly),
                try CalculatorStore.unappliedCertificates(db, month: january, site: nil, marketBoundary: .both)
            )
        }
        // Sorted by site, source and id; the certificates of the site's own grid (or of none) are not listed.
        #expect(
            all.map { "\($0.site) \($0.id) \($0.siteGrid)←\($0.grid) \($0.kwh)" } == [
                "s1 rec-g2 G1←G2 100.0", "s1 rec-g2-edge G1←G2 24.0", "s2 rec-s2 G2←G1 10.0",
            ])
        // Under the default boundary they still count for the monthly method, never for the hourly one.
        #expect(all.allSatisfy { $0.appliedMonthly && !$0.appliedHourly })
        #expect(all.first?.reason == "produced in grid G2, outside the market boundary of site s1 (grid G1)")
        #expect(s2Only.map(\.id) == ["rec-s2"])
        // February: the other 24 kWh of the edge certificate, and February's own 30 kWh.
        #expect(feb.map { "\($0.id) \($0.kwh)" } == ["rec-feb 30.0", "rec-g2-edge 24.0"])
        // With the boundary applied to both methods, none of them counts.
        #expect(both.count == 3 && both.allSatisfy { !$0.appliedMonthly && !$0.appliedHourly })
    }

    @Test func theMarketBoundaryDecidesWhichCertificatesTheMonthlyFigureCounts() throws {
        try loadCertificates()
        let key = RegionMonthKey(region: "r1", month: january)
        // Monthly method, default boundary: C = 200 + 50 + 100 + 24 = 374 kWh, so
        // scope2_market = (1,000 − 374) × 0.5 = 313.
        let hourlyOnly = try #require(try store.result(key, marketBoundary: .hourlyOnly).sites.first { $0.site == "s1" })
        expectClose(hourlyOnly.figures.scope2Market, 313, "monthly market, default boundary")
        // Boundary on both methods: C = 200 + 50 = 250 kWh, (1,000 − 250) × 0.5 = 375.
        let both = try #require(try store.result(key, marketBoundary: .both).sites.first { $0.site == "s1" })
        expectClose(both.figures.scope2Market, 375, "monthly market, boundary on both")
        // Hourly method either way: only the 250 kWh of G1 (or no grid), spread evenly like the
        // 1,000 kWh, so every hour has grid left over: Σ_h (grid − c) × 0.5 = 750 × 0.5 = 375,
        // and the carbon-free energy is the 250 kWh matched.
        for site in [hourlyOnly, both] {
            expectClose(site.figures.scope2MarketHourly, 375, "hourly market")
            expectClose(site.figures.cfeKWh, 250, "cfe kWh")
            expectClose(site.figures.scope2Location, 500, "location: 1,000 × 0.5")
        }
    }

    @Test func theFactorLibraryListsDefaultsAndDeclaredFactorsAndMarksTheOneInForce() throws {
        let year2023 = CalendarMonth(year: 2023, month: 1)
        let year2024 = january
        let year2025 = CalendarMonth(year: 2025, month: 1)
        try store.declare(factors: [
            Given.factor("grid.G1.2024", "electricity", grid: "G1", 0.5, from: year2024, to: year2025),
            Given.factor("grid.G1.2023", "electricity", grid: "G1", 0.55, from: year2023, to: year2024),
            Given.factor("grid.G2.2024", "electricity", grid: "G2", 0.3, from: year2024, to: year2025),
            Given.factor("diesel", "diesel", grid: nil, 2.7, unit: "kgCO2e/L", from: year2024, to: year2025),
        ])
        let shipped = EmissionFactor(
            factor: "default.G1", activity: "electricity", region: "G1", unit: "kgCO2e/kWh", value: 0.9,
            validFrom: CalendarMonth(year: 2000, month: 1).start, validTo: CalendarMonth(year: 2100, month: 1).start, source: "shipped",
            version: "1", origin: .providerDefault)

        // What a region-month reads: the factors in force in its month, of its grids or of none.
        let forJanuary = try store.database.read { db in try CalculatorStore.factors(db, in: january, grids: ["G1"]) }
        #expect(Set(forJanuary.map(\.factor)) == ["grid.G1.2024", "diesel"])

        // The library at an instant, for an activity and a grid: the declared factor beats the
        // shipped one whatever their dates (§5 rule 3), and the 2023 factor is not valid then.
        let query = try FactorQuery.parse(["activity": "electricity", "region": "G1", "at": "2024-01-15"])
        let entries = try store.database.read { db in try FactorRoutes.entries(db, query: query, defaults: [shipped]) }
        #expect(entries.map(\.factor) == ["default.G1", "grid.G1.2024"])
        #expect(entries.map(\.inForce) == [false, true])
        #expect(entries.last?.validFrom == "2024-01-01T00:00:00Z")

        let defaultsOnly = try store.database.read { db in
            try FactorRoutes.entries(db, query: try FactorQuery.parse(["origin": "default"]), defaults: [shipped])
        }
        #expect(defaultsOnly.map(\.factor) == ["default.G1"] && defaultsOnly.first?.inForce == nil)
        let searched = try store.database.read { db in try FactorRoutes.entries(db, query: try FactorQuery.parse(["q": "g2"]), defaults: [shipped]) }
        #expect(searched.map(\.factor) == ["grid.G2.2024"])
        #expect(throws: FactorQuery.Invalid.self) { try FactorQuery.parse(["origin": "shipped"]) }
    }
}
