import Testing

@testable import CarbonModel

/// The resolution rule of `FactorResolver`: region over global, latest `validFrom`, then
/// version, then id; validity is half-open.
struct FactorResolverTests {
    private static let day: Int64 = 86_400
    private static let t0: Int64 = 1_704_067_200  // 2024-01-01T00:00:00Z

    private func factor(
        _ id: String, _ region: String?, _ value: Double, from: Int64, to: Int64,
        version: String = "1", activity: String = "electricity"
    ) -> EmissionFactor {
        EmissionFactor(
            factor: id, activity: activity, region: region, unit: "kgCO2e/kWh", value: value,
            validFrom: from, validTo: to, source: "test", version: version)
    }

    @Test func regionalFactorBeatsGlobalEvenWhenGlobalIsNewer() {
        let t0 = Self.t0, day = Self.day
        let resolver = FactorResolver([
            factor("grid.CN", "CN", 0.58, from: t0, to: t0 + 365 * day),
            factor("grid.world", nil, 0.44, from: t0 + 10 * day, to: t0 + 365 * day),
        ])
        #expect(resolver.factor(activity: "electricity", region: "CN", at: t0 + 20 * day)?.factor == "grid.CN")
        // A region with no factor of its own falls back to the global one ...
        #expect(resolver.factor(activity: "electricity", region: "US", at: t0 + 20 * day)?.factor == "grid.world")
        // ... and so does a request without a region.
        #expect(resolver.factor(activity: "electricity", region: nil, at: t0 + 20 * day)?.factor == "grid.world")
        // Before the global factor starts, only CN has one.
        #expect(resolver.factor(activity: "electricity", region: "US", at: t0 + day) == nil)
        #expect(resolver.factor(activity: "electricity", region: "CN", at: t0 + day)?.factor == "grid.CN")
    }

    @Test func globalFillsGapsOfRegionalFactors() {
        let t0 = Self.t0, day = Self.day
        let resolver = FactorResolver([
            factor("grid.CN.jan", "CN", 0.58, from: t0, to: t0 + 31 * day),
            factor("grid.world", nil, 0.44, from: t0, to: t0 + 365 * day),
        ])
        #expect(resolver.factor(activity: "electricity", region: "CN", at: t0 + 30 * day)?.factor == "grid.CN.jan")
        #expect(resolver.factor(activity: "electricity", region: "CN", at: t0 + 31 * day)?.factor == "grid.world")
    }

    @Test func laterValidFromWins() {
        let t0 = Self.t0, day = Self.day
        // A mid-year revision overrides the annual factor from its start on.
        let resolver = FactorResolver([
            factor("grid.CN.2024", "CN", 0.58, from: t0, to: t0 + 366 * day, version: "5"),
            factor("grid.CN.2024h2", "CN", 0.55, from: t0 + 182 * day, to: t0 + 366 * day, version: "1"),
        ])
        #expect(resolver.factor(activity: "electricity", region: "CN", at: t0 + 181 * day)?.factor == "grid.CN.2024")
        #expect(resolver.factor(activity: "electricity", region: "CN", at: t0 + 182 * day)?.factor == "grid.CN.2024h2")
        #expect(resolver.factor(activity: "electricity", region: "CN", at: t0 + 300 * day)?.value == 0.55)
    }

    @Test func versionBreaksTiesNumericallyThenLexicographically() {
        let t0 = Self.t0, day = Self.day
        let numeric = FactorResolver([
            factor("grid.CN", "CN", 0.9, from: t0, to: t0 + day, version: "9"),
            factor("grid.CN", "CN", 1.0, from: t0, to: t0 + day, version: "10"),
        ])
        // "10" > "9" as numbers although "9" > "10" as text.
        #expect(numeric.factor(activity: "electricity", region: "CN", at: t0)?.version == "10")

        let textual = FactorResolver([
            factor("grid.CN", "CN", 0.1, from: t0, to: t0 + day, version: "2024b"),
            factor("grid.CN", "CN", 0.2, from: t0, to: t0 + day, version: "2024a"),
        ])
        #expect(textual.factor(activity: "electricity", region: "CN", at: t0)?.version == "2024b")

        // Same validFrom and version: the greater id wins.
        let byID = FactorResolver([
            factor("grid.CN.b", "CN", 0.2, from: t0, to: t0 + day),
            factor("grid.CN.a", "CN", 0.1, from: t0, to: t0 + day),
        ])
        #expect(byID.factor(activity: "electricity", region: "CN", at: t0)?.factor == "grid.CN.b")
    }

    @Test func validityIsHalfOpen() {
        let t0 = Self.t0
        let resolver = FactorResolver([
            factor("h0", "CN", 0.5, from: t0, to: t0 + 3600),
            factor("h1", "CN", 0.7, from: t0 + 3600, to: t0 + 7200),
        ])
        #expect(resolver.factor(activity: "electricity", region: "CN", at: t0 - 1) == nil)
        #expect(resolver.factor(activity: "electricity", region: "CN", at: t0)?.factor == "h0")
        #expect(resolver.factor(activity: "electricity", region: "CN", at: t0 + 3599)?.factor == "h0")
        #expect(resolver.factor(activity: "electricity", region: "CN", at: t0 + 3600)?.factor == "h1")
        #expect(resolver.factor(activity: "electricity", region: "CN", at: t0 + 7199)?.factor == "h1")
        #expect(resolver.factor(activity: "electricity", region: "CN", at: t0 + 7200) == nil)
    }

    @Test func activitiesAreSeparateAndEmptyRangesIgnored() {
        let t0 = Self.t0, day = Self.day
        let resolver = FactorResolver([
            factor("grid", "CN", 0.5, from: t0, to: t0 + day),
            factor("resid", "CN", 0.8, from: t0, to: t0 + day, activity: "residual_electricity"),
            factor("empty", "CN", 9.9, from: t0 + day, to: t0 + day, version: "99"),
        ])
        #expect(resolver.factor(activity: "residual_electricity", region: "CN", at: t0)?.factor == "resid")
        #expect(resolver.factor(activity: "diesel", region: "CN", at: t0) == nil)
        #expect(resolver.factor(activity: "electricity", region: "CN", at: t0 + day) == nil)
        #expect(resolver.factors.count == 2)
    }

    @Test func loadOrderDoesNotMatter() {
        let t0 = Self.t0, day = Self.day
        let library = [
            factor("a", "CN", 0.1, from: t0, to: t0 + 10 * day, version: "1"),
            factor("b", "CN", 0.2, from: t0, to: t0 + 10 * day, version: "1"),
            factor("c", "CN", 0.3, from: t0 + 2 * day, to: t0 + 5 * day, version: "1"),
            factor("g", nil, 0.4, from: t0, to: t0 + 20 * day, version: "3"),
        ]
        let forward = FactorResolver(library)
        let backward = FactorResolver(library.reversed())
        for d in 0..<21 {
            let t = t0 + Int64(d) * day
            #expect(forward.factor(activity: "electricity", region: "CN", at: t)
                == backward.factor(activity: "electricity", region: "CN", at: t))
        }
        #expect(forward.factor(activity: "electricity", region: "CN", at: t0)?.factor == "b")
        #expect(forward.factor(activity: "electricity", region: "CN", at: t0 + 3 * day)?.factor == "c")
        #expect(forward.factor(activity: "electricity", region: "CN", at: t0 + 12 * day)?.factor == "g")
    }

    /// The precomputed timeline must agree with the rule applied naively at every instant.
    @Test func timelineMatchesBruteForceOnRandomLibraries() {
        var rng = SplitMix64(seed: 0xC0FFEE)
        let regions: [String?] = ["CN", "US", nil]
        for _ in 0..<20 {
            var library: [EmissionFactor] = []
            for i in 0..<Int.random(in: 1...25, using: &rng) {
                let from = Self.t0 + Int64.random(in: 0..<48, using: &rng) * 3600
                let to = from + Int64.random(in: 0..<24, using: &rng) * 3600
                library.append(
                    factor(
                        "f\(Int.random(in: 0..<5, using: &rng))-\(i)",
                        regions[Int.random(in: 0..<3, using: &rng)], Double(i),
                        from: from, to: to, version: String(Int.random(in: 1...12, using: &rng))))
            }
            let resolver = FactorResolver(library)
            for region in regions {
                let timeline = resolver.timeline(activity: "electricity", region: region)
                for step in -2..<(75 * 2) {
                    let t = Self.t0 + Int64(step) * 1800
                    let expected = bruteForce(library, region: region, at: t)
                    #expect(resolver.factor(activity: "electricity", region: region, at: t) == expected)
                    #expect(timeline.factor(at: t) == expected)
                }
            }
        }
    }

    private func bruteForce(_ library: [EmissionFactor], region: String?, at t: Int64) -> EmissionFactor? {
        let valid = library.filter {
            $0.validFrom <= t && t < $0.validTo && ($0.region == nil || $0.region == region)
        }
        // Random versions are numeric and ids unique, so the rule is a total order here.
        return valid.max { a, b in
            let key = { (f: EmissionFactor) in (f.region == nil ? 0 : 1, f.validFrom, Int(f.version) ?? 0) }
            let (ka, kb) = (key(a), key(b))
            if ka != kb { return ka < kb }
            return a.factor < b.factor
        }
    }
}

/// Deterministic generator so randomized tests are reproducible.
private struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - Declared factors over shipped defaults

extension FactorResolverTests {
    private func shipped(_ id: String, _ region: String?, _ value: Double, from: Int64, to: Int64, version: String = "1") -> EmissionFactor {
        var factor = factor(id, region, value, from: from, to: to, version: version)
        factor.origin = .providerDefault
        return factor
    }

    @Test func declaredFactorBeatsDefaultWhateverItsDatesAndVersion() {
        let t0 = Self.t0, day = Self.day
        let resolver = FactorResolver([
            // The default is newer and has a higher version; the declaration still wins.
            shipped("cn.mee.grid.CN.2024", "CN", 0.53, from: t0 + 10 * day, to: t0 + 365 * day, version: "9"),
            factor("mine.CN", "CN", 0.61, from: t0, to: t0 + 365 * day, version: "1"),
        ])
        #expect(resolver.factor(activity: "electricity", region: "CN", at: t0 + 20 * day)?.factor == "mine.CN")
        // Outside the declaration's validity the default applies.
        let later = FactorResolver([
            shipped("cn.mee.grid.CN.2024", "CN", 0.53, from: t0, to: t0 + 365 * day),
            factor("mine.CN.jan", "CN", 0.61, from: t0, to: t0 + 31 * day),
        ])
        #expect(later.factor(activity: "electricity", region: "CN", at: t0 + 40 * day)?.factor == "cn.mee.grid.CN.2024")
        #expect(later.factor(activity: "electricity", region: "CN", at: t0 + 20 * day)?.factor == "mine.CN.jan")
    }

    @Test func regionalDefaultStillBeatsGlobalDeclaration() {
        // Rule 2 comes before rule 3: the exact region matters more than who declared it.
        let t0 = Self.t0, day = Self.day
        let resolver = FactorResolver([
            shipped("cn.mee.grid.CN.2024", "CN", 0.53, from: t0, to: t0 + 365 * day),
            factor("mine.world", nil, 0.44, from: t0, to: t0 + 365 * day),
        ])
        #expect(resolver.factor(activity: "electricity", region: "CN", at: t0 + day)?.factor == "cn.mee.grid.CN.2024")
        #expect(resolver.factor(activity: "electricity", region: "US", at: t0 + day)?.factor == "mine.world")
    }
}
