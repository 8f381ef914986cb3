import Foundation

/// A small dataset whose results are computed by hand below, in the comments and constants.
///
/// Region r1 has two sites on grid G1. Grid factor 0.5 kg/kWh in January 2024, 0.6 from
/// February (a factor that changes at the month boundary); residual mix 0.8 all year; diesel
/// 2.7 kg/L. Products: ecs (vCPU-h, usage basis) and oss (GB-h, capacity basis).
enum Fixture {
    static let sites = """
        [{"site":"s1","region":"r1","grid":"G1"},{"site":"s2","region":"r1","grid":"G1"}]
        """
    static let products = """
        [{"product":"ecs","unit":"vCPU-h","basis":"usage"},{"product":"oss","unit":"GB-h","basis":"capacity"}]
        """
    static let factors = """
        {"factor":"grid.G1.jan","activity":"electricity","region":"G1","value":0.5,"unit":"kgCO2e/kWh","valid_from":"2024-01-01","valid_to":"2024-02-01","source":"test","version":"1"}
        {"factor":"grid.G1.rest","activity":"electricity","region":"G1","value":600,"unit":"kgCO2e/MWh","valid_from":"2024-02-01","valid_to":"2025-01-01","source":"test","version":"1"}
        {"factor":"residual.G1","activity":"residual_electricity","region":"G1","value":0.8,"unit":"kgCO2e/kWh","valid_from":"2024-01-01","valid_to":"2025-01-01","source":"test","version":"1"}
        {"factor":"diesel","activity":"diesel","value":2.7,"unit":"kgCO2e/L","valid_from":"2000-01-01","valid_to":"2100-01-01","source":"test","version":"1"}
        """

    /// Facility and product records (NDJSON).
    static let facility = """
        {"source":"meter","id":"s1-grid-jan","kind":"facility.electricity","site":"s1","start":"2024-01-01T00:00:00Z","end":"2024-02-01T00:00:00Z","value":1,"unit":"MWh"}
        {"source":"meter","id":"s1-grid-straddle","kind":"facility.electricity","site":"s1","start":"2024-01-31T12:00:00Z","end":"2024-02-01T12:00:00Z","value":240,"unit":"kWh"}
        {"source":"meter","id":"s1-cert-jan","kind":"facility.certificate","site":"s1","start":"2024-01-01T00:00:00Z","end":"2024-02-01T00:00:00Z","value":400,"unit":"kWh"}
        {"source":"meter","id":"s1-ecs-it","kind":"product.it_electricity","site":"s1","product":"ecs","start":"2024-01-01T00:00:00Z","end":"2024-02-01T00:00:00Z","value":600,"unit":"kWh"}
        {"source":"meter","id":"s1-oss-it","kind":"product.it_electricity","site":"s1","product":"oss","start":"2024-01-01T00:00:00Z","end":"2024-02-01T00:00:00Z","value":200,"unit":"kWh"}
        {"source":"meter","id":"s1-diesel","kind":"facility.fuel","site":"s1","fuel":"diesel","start":"2024-01-15T00:00:00Z","end":"2024-01-15T01:00:00Z","value":10,"unit":"L"}
        {"source":"meter","id":"s2-grid-jan","kind":"facility.electricity","site":"s2","start":"2024-01-01T00:00:00Z","end":"2024-02-01T00:00:00Z","value":500,"unit":"kWh"}
        {"source":"meter","id":"s2-ecs-it","kind":"product.it_electricity","site":"s2","product":"ecs","start":"2024-01-01T00:00:00Z","end":"2024-02-01T00:00:00Z","value":400,"unit":"kWh"}
        {"source":"cmdb","id":"s2-servers","kind":"hardware.embodied","site":"s2","product":"ecs","start":"2024-01-01T00:00:00Z","value":1.2,"unit":"tCO2e","lifetime_months":12}
        {"source":"meter","id":"s1-oss-capacity","kind":"product.capacity","site":"s1","product":"oss","start":"2024-01-01T00:00:00Z","end":"2024-02-01T00:00:00Z","value":400,"unit":"GB-h"}
        """

    /// Usage over HTTP as CSV: tenant A's ecs and oss use.
    static let usageCSV = """
        source,id,kind,tenant,product,region,start,end,value,unit
        billing,a-ecs,usage,A,ecs,r1,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,108000,vCPU-s
        billing,a-oss,usage,A,oss,r1,2024-01-10T00:00:00Z,2024-01-11T00:00:00Z,100,GB-h

        """

    /// Usage over the ZeroMQ ingest endpoint: tenant B's ecs use, naming a site instead of a region.
    static let usageZMQ = """
        [{"source":"billing","id":"b-ecs","kind":"usage","tenant":"B","product":"ecs","site":"s2","start":"2024-01-05T00:00:00Z","end":"2024-01-06T00:00:00Z","value":10,"unit":"vCPU-h"}]
        """

    // January, by hand:
    // s1 grid = 1000 + 120 (half of the straddling 240 kWh) = 1120 kWh.
    //   scope1 = 10 L × 2.7 = 27; scope2_location = 1120 × 0.5 = 560;
    //   scope2_market = (1120 − 400) × 0.8 = 576; energy = 1120. w(ecs) = 600/800 = 0.75, w(oss) = 0.25.
    // s2: scope2_location = 500 × 0.5 = 250; scope2_market = 500 × 0.8 = 400; energy 500;
    //   scope3 = 1200 kg × 31 days / 366 days (2024 is a leap year) to ecs; w(ecs) = 1.
    static let s2EmbodiedJan = 1200.0 * 31 / 366
    static let s1Jan = (scope1: 27.0, location: 560.0, market: 576.0, scope3: 0.0, energy: 1120.0)
    static let s2Jan = (scope1: 0.0, location: 250.0, market: 400.0, scope3: s2EmbodiedJan, energy: 500.0)
    // E(ecs, r1) = 0.75 × s1 + s2; E(oss, r1) = 0.25 × s1.
    static let ecsJan = (
        scope1: 0.75 * 27, location: 0.75 * 560 + 250, market: 0.75 * 576 + 400, scope3: s2EmbodiedJan, energy: 0.75 * 1120 + 500
    )
    static let ossJan = (scope1: 0.25 * 27, location: 0.25 * 560, market: 0.25 * 576, scope3: 0.0, energy: 0.25 * 1120)
    // ecs usage: A 108000 vCPU-s = 30 vCPU-h, B 10 vCPU-h → shares 0.75 and 0.25.
    // oss: capacity 400 GB-h, usage A 100 → A gets 0.25, 0.75 stays unallocated.
    static let shareAecs = 0.75, shareBecs = 0.25, shareAoss = 0.25

    // February: s1 has 120 kWh at 0.6 (location 72, market 120 × 0.8 = 96) and no IT energy, so the
    // whole site-month stays unallocated; s2 embodied 1200 × 29/366 goes to ecs, which has no usage.
    static let s2EmbodiedFeb = 1200.0 * 29 / 366
}
