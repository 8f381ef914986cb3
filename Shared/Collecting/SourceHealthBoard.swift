import CarbonModel
import Foundation

/// Keeps each source's health as its attempts finish. Held in memory: it describes this run of
/// the collector (counters restart at zero, like Prometheus counters do).
public actor SourceHealthBoard {
    private struct Entry {
        var health: SourceHealth
        var registeredAt: Double
    }

    private var entries: [String: Entry] = [:]
    private var order: [String] = []
    private let clock: @Sendable () -> Double

    /// `clock` gives seconds since the Unix epoch (replaceable in tests).
    public init(clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.clock = clock
    }

    public func register(_ name: String, kind: String) {
        guard entries[name] == nil else { return }
        order.append(name)
        entries[name] = Entry(
            health: SourceHealth(
                name: name, kind: kind, state: .starting, lastAttempt: nil, lastSuccess: nil, lagSeconds: 0, errors: 0,
                consecutiveFailures: 0, lastError: nil, batches: 0, records: 0, accepted: 0, rejected: 0),
            registeredAt: clock())
    }

    /// An attempt succeeded; `outcome` is what the sink said about its batch (nil: nothing to send).
    public func succeeded(_ name: String, outcome: DeliveryOutcome? = nil) {
        update(name) { health, now in
            health.state = .ok
            health.lastAttempt = now
            health.lastSuccess = now
            health.consecutiveFailures = 0
        }
        if let outcome { delivered(name, outcome: outcome) }
    }

    /// An attempt failed (the command failed, printed garbage, the file could not be read, …);
    /// it will be retried with back-off. What it did deliver is counted with `delivered`.
    public func failed(_ name: String, error: String) {
        update(name) { health, now in
            health.state = .failing
            health.lastAttempt = now
            health.errors += 1
            health.consecutiveFailures += 1
            health.lastError = error
        }
    }

    /// Counts a delivered batch and what validation said about it, without changing the state.
    public func delivered(_ name: String, outcome: DeliveryOutcome) {
        guard case .stored(let verdict) = outcome else { return }
        update(name) { health, _ in
            health.batches += 1
            health.records += verdict.received
            if verdict.status == .processed {
                health.accepted += verdict.accepted + verdict.repeats + verdict.revisions
                health.rejected += verdict.rejected.count
            }
        }
    }

    /// What a source is through now (nil: nothing under way).
    public func progress(_ name: String, _ progress: ExportProgress?) {
        update(name) { health, _ in health.progress = progress }
    }

    /// Every source in registration order, with the lag computed at this moment.
    public func snapshot() -> [SourceHealth] {
        let now = clock()
        return order.compactMap { name in
            guard let entry = entries[name] else { return nil }
            var health = entry.health
            health.lagSeconds = max(0, now - (health.lastSuccess ?? entry.registeredAt))
            return health
        }
    }

    public func health(of name: String) -> SourceHealth? { snapshot().first { $0.name == name } }

    private func update(_ name: String, _ change: (inout SourceHealth, Double) -> Void) {
        guard var entry = entries[name] else { return }
        change(&entry.health, clock())
        entries[name] = entry
    }
}
