import Foundation

/// How many suites of real processes run at once in this test process. Swift Testing runs every
/// suite in parallel; forty suites of five services each on two cores loaded CI to a load
/// average of 160, and tests waiting on a login or a drain then failed on time alone. A suite
/// takes a slot when it starts its first process and gives it back when it stops them all (or
/// is released), so at most `limit` suites compete for the cores. `CM_TEST_SUITES` sets the
/// limit; the default is the core count, at least 2.
actor SuiteSlots {
    static let shared = SuiteSlots(
        limit: ProcessInfo.processInfo.environment["CM_TEST_SUITES"].flatMap(Int.init)
            ?? max(2, ProcessInfo.processInfo.activeProcessorCount))

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { free = max(1, limit) }

    /// Waits for a free slot; slots are handed out in the order they were asked for.
    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
