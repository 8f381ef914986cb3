/// Picks the emission factor that applies to an activity in a region at an instant, from a
/// factor library that may hold overlapping, revised and global entries.
///
/// Resolution rule, for `factor(activity:region:at:)` at instant `t`:
/// 1. Only factors of that `activity` with `validFrom <= t < validTo` are considered
///    (validity is half-open, so consecutive factors never overlap at a boundary).
/// 2. A factor whose `region` equals the requested region beats a global one
///    (`region == nil`); factors of other regions are never used. When the requested region
///    is nil, only global factors apply.
/// 3. Among those, a factor declared by a user beats a default shipped with CarbonMeter
///    (`origin`), whatever their validity or version: a user's declaration is an override.
/// 4. Among factors of equal standing, the latest `validFrom` wins (a revision published
///    for part of a period overrides the broader factor it revises), then the higher
///    `version` (numerically when both parse as `Int`, so "10" beats "9"; lexicographically
///    otherwise), then the lexicographically greater `factor` id, so the choice never
///    depends on the order the library was loaded in.
///
/// The whole rule is evaluated once, at construction: each (activity, region) gets a
/// ``Timeline`` of consecutive time segments with the winning factor already chosen, so a
/// lookup is one hash and one binary search. The calculator looks up every hour of every
/// series, so that matters more than construction cost.
public struct FactorResolver: Sendable {
    private struct Key: Hashable, Sendable {
        var activity: String
        var region: String?
    }

    /// Global timelines live under `region == nil`; a regional timeline already merges the
    /// global factors in, so one lookup answers the fallback too.
    private var timelines: [Key: Timeline]

    /// The factors the resolver was built from, with empty validity ranges dropped.
    public let factors: [EmissionFactor]

    public init(_ factors: [EmissionFactor]) {
        let usable = factors.filter { $0.validTo > $0.validFrom }
        self.factors = usable

        var globalByActivity: [String: [EmissionFactor]] = [:]
        var regionalByKey: [Key: [EmissionFactor]] = [:]
        for factor in usable {
            if let region = factor.region {
                regionalByKey[Key(activity: factor.activity, region: region), default: []].append(factor)
            } else {
                globalByActivity[factor.activity, default: []].append(factor)
            }
        }

        var timelines: [Key: Timeline] = [:]
        for (activity, globals) in globalByActivity {
            timelines[Key(activity: activity, region: nil)] = Timeline(candidates: globals)
        }
        for (key, regional) in regionalByKey {
            timelines[key] = Timeline(candidates: regional + (globalByActivity[key.activity] ?? []))
        }
        self.timelines = timelines
    }

    /// The factor for `activity` in `region` (falling back to a global factor) valid at
    /// `epochSeconds`, or nil when none is.
    public func factor(activity: String, region: String?, at epochSeconds: Int64) -> EmissionFactor? {
        timeline(activity: activity, region: region).factor(at: epochSeconds)
    }

    /// The resolved timeline of `activity` in `region` (global factors merged in). Resolve it
    /// once per series and query it per hour to skip re-hashing the key on every lookup.
    public func timeline(activity: String, region: String?) -> Timeline {
        if let region, let regional = timelines[Key(activity: activity, region: region)] {
            return regional
        }
        return timelines[Key(activity: activity, region: nil)] ?? Timeline()
    }
}

extension FactorResolver {
    /// The winning factor of one (activity, region) as a function of time: consecutive
    /// half-open segments `[bounds[i], bounds[i+1])`, each with its chosen factor or none.
    public struct Timeline: Sendable {
        /// Every distinct factor chosen for some segment; `picks` index into it.
        let chosen: [EmissionFactor]
        /// Segment boundaries, ascending; `bounds.count == picks.count + 1` unless empty.
        let bounds: [Int64]
        /// Index into `chosen` per segment, or -1 where no factor is valid.
        let picks: [Int]

        init() {
            chosen = []
            bounds = []
            picks = []
        }

        /// Builds the segments with a sweep over all validity boundaries, keeping the set of
        /// factors active in the current segment; libraries of hourly factors stay linear-ish
        /// because only a handful of factors overlap any one instant.
        init(candidates: [EmissionFactor]) {
            // A canonical order first, so the winner among exact ties (and the outcome of a
            // mixed numeric/text version comparison, which is not transitive) is independent
            // of the order the library was loaded in.
            let ordered = candidates.sorted(by: Timeline.canonicallyBefore)
                .enumerated()
                .sorted { ($0.element.validFrom, $0.offset) < ($1.element.validFrom, $1.offset) }
                .map(\.element)
            var boundarySet = Set<Int64>()
            for factor in ordered {
                boundarySet.insert(factor.validFrom)
                boundarySet.insert(factor.validTo)
            }
            let boundaries = boundarySet.sorted()

            var chosen: [EmissionFactor] = []
            var chosenIndex: [EmissionFactor: Int] = [:]
            var bounds: [Int64] = []
            var picks: [Int] = []
            var active: [EmissionFactor] = []
            var next = 0
            for i in 0..<max(0, boundaries.count - 1) {
                let t = boundaries[i]
                active.removeAll { $0.validTo <= t }
                while next < ordered.count, ordered[next].validFrom <= t {
                    if ordered[next].validTo > t { active.append(ordered[next]) }
                    next += 1
                }
                var best: EmissionFactor?
                for factor in active where best.map({ Timeline.beats(factor, $0) }) ?? true {
                    best = factor
                }
                var pick = -1
                if let best {
                    if let known = chosenIndex[best] {
                        pick = known
                    } else {
                        pick = chosen.count
                        chosenIndex[best] = pick
                        chosen.append(best)
                    }
                }
                if let last = picks.last, last == pick { continue }
                bounds.append(t)
                picks.append(pick)
            }
            if let end = boundaries.last, !picks.isEmpty { bounds.append(end) }
            self.chosen = chosen
            self.bounds = bounds
            self.picks = picks
        }

        /// The factor valid at `epochSeconds`, or nil.
        public func factor(at epochSeconds: Int64) -> EmissionFactor? {
            guard let index = pickIndex(at: epochSeconds) else { return nil }
            return chosen[index]
        }

        /// Index of the chosen factor valid at `epochSeconds` (stable within this timeline,
        /// so callers can notice "same factor as the previous hour" without hashing it).
        func pickIndex(at epochSeconds: Int64) -> Int? {
            guard let first = bounds.first, let last = bounds.last,
                epochSeconds >= first, epochSeconds < last
            else { return nil }
            // Largest i with bounds[i] <= t; i < picks.count because t < bounds.last.
            var low = 0
            var high = picks.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if bounds[mid] <= epochSeconds { low = mid } else { high = mid - 1 }
            }
            let pick = picks[low]
            return pick >= 0 ? pick : nil
        }

        /// The chosen factor behind an index returned by `pickIndex(at:)`.
        func chosenFactor(_ index: Int) -> EmissionFactor { chosen[index] }

        /// Whether `a` should be used instead of `b` when both are valid at the same instant.
        static func beats(_ a: EmissionFactor, _ b: EmissionFactor) -> Bool {
            let aRegional = a.region != nil
            let bRegional = b.region != nil
            if aRegional != bRegional { return aRegional }
            if a.origin != b.origin { return a.origin == .declared }
            if a.validFrom != b.validFrom { return a.validFrom > b.validFrom }
            if let va = Int(a.version), let vb = Int(b.version) {
                if va != vb { return va > vb }
            } else if a.version != b.version {
                return a.version > b.version
            }
            return a.factor > b.factor
        }

        /// A total order on every field, used only to make tie handling deterministic.
        private static func canonicallyBefore(_ a: EmissionFactor, _ b: EmissionFactor) -> Bool {
            if a.factor != b.factor { return a.factor < b.factor }
            if a.version != b.version { return a.version < b.version }
            if a.validFrom != b.validFrom { return a.validFrom < b.validFrom }
            if a.validTo != b.validTo { return a.validTo < b.validTo }
            if a.value != b.value { return a.value < b.value }
            if a.region != b.region { return (a.region ?? "") < (b.region ?? "") }
            if a.unit != b.unit { return a.unit < b.unit }
            if a.origin != b.origin { return a.origin.rawValue < b.origin.rawValue }
            return a.source < b.source
        }
    }
}
