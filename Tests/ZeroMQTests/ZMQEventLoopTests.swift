import Foundation
import Synchronization
import Testing

@testable import ZeroMQ

/// The loop owns the sockets; callers on other threads reach them only through jobs.
@Suite struct ZMQEventLoopTests {
    @Test func echoServerOnTheLoopAnswersClientsOnOtherThreads() async throws {
        let context = try ZMQContext()
        let loop = try ZMQEventLoop(context: context, name: "test-loop")
        loop.start()
        let endpoint = try await loop.perform { state -> String in
            let server = try ZMQSocket(context: context, type: .router)
            try server.bind("tcp://127.0.0.1:0")
            let id = state.add(server) { frames in
                // Echo back every frame after the routing id, upper-cased marker first.
                try? state.socket(SocketID(raw: 1))?.send([frames[0], Data("echo".utf8)] + frames.dropFirst())
            }
            #expect(id == SocketID(raw: 1))
            return try server.lastEndpoint()
        }
        let received = Mutex<[[Data]]>([])
        let payload = Data(repeating: 0x42, count: 1_500_000)
        try await loop.perform { state in
            let client = try ZMQSocket(context: context, type: .dealer)
            try client.connect(endpoint)
            state.add(client) { frames in received.withLock { $0.append(frames) } }
            try client.send([Data("ü".utf8), payload])
        }
        for _ in 0..<200 where received.withLock({ $0.isEmpty }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        let frames = try #require(received.withLock { $0.first })
        #expect(frames.count == 3)
        #expect(String(decoding: frames[0], as: UTF8.self) == "echo")
        #expect(String(decoding: frames[1], as: UTF8.self) == "ü")
        #expect(frames[2] == payload)
        await loop.shutdown()
        context.terminate()
    }

    @Test func timersFire() async throws {
        let context = try ZMQContext()
        let loop = try ZMQEventLoop(context: context, name: "timer-loop")
        loop.start()
        let ticks = Atomic<Int>(0)
        loop.execute { state in state.every(milliseconds: 5) { ticks.add(1, ordering: .relaxed) } }
        // A condition with a generous deadline: on a loaded machine the ticks come late, not never.
        let deadline = Date().addingTimeInterval(30)
        while ticks.load(ordering: .relaxed) < 3, Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(ticks.load(ordering: .relaxed) >= 3, "a 5 ms timer fired fewer than 3 times in 30 s")
        await loop.shutdown()
        context.terminate()
    }

    @Test func shutdownClosesSocketsSoTheContextTerminatesWithoutHanging() async throws {
        for round in 0..<5 {
            let context = try ZMQContext()
            let loop = try ZMQEventLoop(context: context, name: "shutdown-\(round)")
            loop.start()
            try await loop.perform { state in
                let server = try ZMQSocket(context: context, type: .router)
                try server.bind("inproc://shutdown-\(round)")
                state.add(server) { _ in }
                let client = try ZMQSocket(context: context, type: .dealer)
                try client.connect("inproc://shutdown-\(round)")
                // Unsent and unread messages must not keep the context alive (LINGER 0).
                for _ in 0..<100 { try client.send(strings: ["pending"]) }
                state.add(client) { _ in }
            }
            await loop.shutdown()
            context.terminate()  // would hang if a socket were left open
        }
    }

    @Test func jobsQueuedAfterShutdownStillCompleteTheirCallers() async throws {
        let context = try ZMQContext()
        let loop = try ZMQEventLoop(context: context, name: "late-job")
        loop.start()
        await loop.shutdown()
        #expect(loop.execute { _ in } == false)
        await #expect(throws: ZMQError.terminated) { try await loop.perform { _ in 1 } }
        context.terminate()
    }
}
