import Foundation

extension SuiteProcess {
    /// Posts NDJSON activity batches from `workers` concurrent senders, each batch until the
    /// collector confirms it stored it (200 or 202), as a client whose request was cut off by a
    /// crash would: repeats must be harmless. Returns how many batches were never confirmed.
    func sendUntilStored(_ batches: [Data], workers: Int, attempts: Int) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var undelivered = 0
                    for batch in stride(from: worker, to: batches.count, by: workers) {
                        var delivered = false
                        for _ in 0..<attempts where !delivered {
                            let answer = try? await self.post(.collector, "/v1/activity", body: batches[batch], contentType: "application/x-ndjson")
                            if let answer, answer.0 == 200 || answer.0 == 202 { delivered = true } else {
                                try await Task.sleep(for: .milliseconds(100))
                            }
                        }
                        if !delivered { undelivered += 1 }
                    }
                    return undelivered
                }
            }
            return try await group.reduce(0, +)
        }
    }
}
