import CarbonModel
import Contracts
import Foundation

/// Where ingest requests wait for their batch's verdict: `VerdictTracker`'s wake-ups, used by it
/// alone. The acknowledgement from the preprocessor resolves the waiter; a waiter that times out
/// gets nil and answers 202.
/// A batch is announced with `expect` before its message is sent, so an answer that arrives
/// before the sender starts waiting is kept rather than missed.
actor VerdictBoard {
    private enum Slot {
        case expected
        case waiting(CheckedContinuation<BatchVerdict?, Never>)
        case arrived(BatchVerdict)
    }

    private var slots: [String: Slot] = [:]

    func expect(_ batch: String) { slots[batch] = .expected }

    /// Waits up to `milliseconds` for the verdict of an expected batch.
    func wait(for batch: String, milliseconds: Int) async -> BatchVerdict? {
        if case .arrived(let verdict) = slots[batch] {
            slots.removeValue(forKey: batch)
            return verdict
        }
        return await withCheckedContinuation { continuation in
            slots[batch] = .waiting(continuation)
            Task {
                // This task is never cancelled; were it, expiring early only answers "queued" sooner.
                try? await Task.sleep(for: .milliseconds(milliseconds))
                self.expire(batch)
            }
        }
    }

    func resolve(batch: String, verdict: BatchVerdict) {
        switch slots[batch] {
        case .waiting(let continuation):
            slots.removeValue(forKey: batch)
            continuation.resume(returning: verdict)
        case .expected:
            slots[batch] = .arrived(verdict)
        case .arrived, nil:
            break  // nobody is waiting (a re-sent batch, or the sender gave up)
        }
    }

    /// Drops an expected batch whose verdict the sender found in the store instead.
    func forget(_ batch: String) {
        if case .waiting = slots[batch] { return }  // a waiter owns the slot until it is woken or expires
        slots.removeValue(forKey: batch)
    }

    private func expire(_ batch: String) {
        guard case .waiting(let continuation) = slots[batch] else { return }
        slots.removeValue(forKey: batch)
        continuation.resume(returning: nil)
    }
}
