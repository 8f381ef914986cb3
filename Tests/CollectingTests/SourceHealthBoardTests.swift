import CarbonModel
import Contracts
import Collecting
import Synchronization
import Testing

@Suite struct SourceHealthBoardTests {
    final class FakeClock: Sendable {
        let now = Mutex<Double>(1_000)
        func advance(_ seconds: Double) { now.withLock { $0 += seconds } }
        func read() -> Double { now.withLock { $0 } }
    }

    @Test func tracksStateLastSuccessLagAndErrors() async {
        let clock = FakeClock()
        let board = SourceHealthBoard(clock: { clock.read() })
        await board.register("meters", kind: "exec")
        clock.advance(5)
        #expect(await board.health(of: "meters")?.state == .starting)
        #expect(await board.health(of: "meters")?.lagSeconds == 5)  // since registration at 1000

        let verdict = BatchVerdict(
            batch: "b1", entity: .activity, status: .processed, received: 3, accepted: 1, repeats: 1,
            rejected: [RejectedRecord(position: 3, format: .ndjson, field: "value", reason: "negative")])
        await board.succeeded("meters", outcome: .stored(verdict))  // at 1005
        clock.advance(10)
        await board.failed("meters", error: "exit status 3")  // at 1015
        await board.failed("meters", error: "2 lines are not JSON")  // at 1015
        clock.advance(1)
        let health = await board.health(of: "meters")
        #expect(health?.state == .failing)
        #expect(health?.lastSuccess == 1_005)
        #expect(health?.lastAttempt == 1_015)
        #expect(health?.lagSeconds == 11)  // 1016 − 1005
        #expect(health?.errors == 2)
        #expect(health?.consecutiveFailures == 2)
        #expect(health?.batches == 1)
        #expect(health?.records == 3)
        #expect(health?.accepted == 2)
        #expect(health?.rejected == 1)
        #expect(health?.lastError == "2 lines are not JSON")
    }
}
