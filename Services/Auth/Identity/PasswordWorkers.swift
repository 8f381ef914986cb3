import Dispatch
import Foundation
import Synchronization

/// Where auth hashes and checks passwords. scrypt is slow on purpose (tens of milliseconds and
/// 32 MiB per check at the default cost), so it runs on a few threads of its own rather than on
/// Swift's cooperative pool, where a burst of logins would hold up every other request auth
/// answers (API key checks, revocation polls, the dashboard's logins). At most `workers`
/// checks run at once and at most `queueLimit` wait; one more is refused at once with
/// `PasswordWorkers.Busy`, which callers answer as 503 with Retry-After.
final class PasswordWorkers: Sendable {
    /// All workers are busy and the queue is full: try again after `retryAfterSeconds`.
    struct Busy: Error, CustomStringConvertible {
        var retryAfterSeconds: Int
        var description: String { "password checks are queued to the limit; try again in \(retryAfterSeconds) s" }
    }

    let workers: Int
    let queueLimit: Int
    private let queues: [DispatchQueue]
    private let turn = Atomic<Int>(0)
    /// Checks running or waiting.
    private let admitted = Atomic<Int>(0)

    init(workers: Int, queueLimit: Int) {
        self.workers = max(1, workers)
        self.queueLimit = max(0, queueLimit)
        // Serial queues, one per worker, handed jobs in turn: never more than `workers` at once.
        queues = (0..<self.workers).map { DispatchQueue(label: "carbonmeter.auth.password-\($0)", qos: .userInitiated) }
    }

    /// Checks running or waiting right now.
    var inFlight: Int { admitted.load(ordering: .relaxed) }

    /// Runs `work` on a password worker, or throws `Busy` at once when the queue is full.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        if admitted.add(1, ordering: .acquiringAndReleasing).newValue > workers + queueLimit {
            admitted.subtract(1, ordering: .acquiringAndReleasing)
            throw Busy(retryAfterSeconds: 1)
        }
        defer { admitted.subtract(1, ordering: .acquiringAndReleasing) }
        let queue = queues[Int(UInt(bitPattern: turn.wrappingAdd(1, ordering: .relaxed).oldValue) % UInt(queues.count))]
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
