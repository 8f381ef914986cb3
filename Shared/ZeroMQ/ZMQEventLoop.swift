import CZMQ
import Foundation
import Synchronization

/// One I/O thread that owns every socket of a process and polls them with `zmq_poll`.
///
/// ZeroMQ sockets are not thread-safe, so nothing outside this thread touches them: other code
/// hands the loop closures with `execute` or `perform`, and the loop hands received messages to
/// the handlers registered with `LoopState.add`. A pipe wakes the poll when work is queued,
/// because `ZMQ_FD` is edge-triggered and loses wake-ups.
public final class ZMQEventLoop: Sendable {
    public typealias Job = @Sendable (LoopState) -> Void

    public let context: ZMQContext
    private let name: String
    private let jobs = Mutex<(closed: Bool, queue: [Job])>((false, []))
    private let stopRequested = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let finished = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public init(context: ZMQContext, name: String) throws(ZMQError) {
        self.context = context
        self.name = name
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw ZMQError.failed(operation: "pipe", errno: errno, message: String(cString: strerror(errno)))
        }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        Foundation.close(wakeRead)
        Foundation.close(wakeWrite)
    }

    /// Starts the I/O thread. Calling it twice does nothing.
    public func start() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = Thread { [self] in self.run() }
        thread.name = name
        thread.start()
    }

    /// Queues `job` to run on the loop thread. Returns false, dropping the job, once the loop
    /// has shut down.
    @discardableResult
    public func execute(_ job: @escaping Job) -> Bool {
        let queued = jobs.withLock { state -> Bool in
            if state.closed { return false }
            state.queue.append(job)
            return true
        }
        if queued { wake() }
        return queued
    }

    /// Runs `body` on the loop thread and returns its result to the caller.
    public func perform<T: Sendable>(_ body: @escaping @Sendable (LoopState) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let queued = execute { state in
                do { continuation.resume(returning: try body(state)) } catch { continuation.resume(throwing: error) }
            }
            if !queued { continuation.resume(throwing: ZMQError.terminated) }
        }
    }

    /// Stops polling, closes every socket on the loop thread, and returns when the thread is done.
    /// The caller terminates the context afterwards.
    public func shutdown() async {
        stopRequested.store(true, ordering: .releasing)
        wake()
        if !started.load(ordering: .acquiring) { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = finished.withLock { state -> Bool in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func drainWakeups() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    private func run() {
        let state = LoopState()
        var items: [zmq_pollitem_t] = []
        while !stopRequested.load(ordering: .acquiring) {
            items.removeAll(keepingCapacity: true)
            items.append(zmq_pollitem_t(socket: nil, fd: wakeRead, events: Int16(ZMQ_POLLIN), revents: 0))
            let entries = state.entries
            for entry in entries {
                items.append(zmq_pollitem_t(socket: entry.socket.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0))
            }
            let timeout = state.millisecondsUntilNextTimer(cap: 1000)
            let rc = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32($0.count), timeout) }
            if rc < 0 {
                let error = ZMQError.last("zmq_poll")
                if error == .terminated { break }
                continue
            }
            if items[0].revents & Int16(ZMQ_POLLIN) != 0 { drainWakeups() }
            let pending = jobs.withLock { state -> [Job] in
                let taken = state.queue
                state.queue.removeAll(keepingCapacity: true)
                return taken
            }
            for job in pending { job(state) }
            for (index, entry) in entries.enumerated() where items[index + 1].revents & Int16(ZMQ_POLLIN) != 0 {
                // A bounded number per turn keeps one busy socket from starving the others.
                for _ in 0..<256 {
                    guard !entry.socket.isClosed, state.isRegistered(entry.id) else { break }
                    let frames: [Data]?
                    do { frames = try entry.socket.receive(dontWait: true) } catch { break }
                    guard let frames else { break }
                    entry.handler(frames)
                }
            }
            state.runDueTimers()
        }
        // Jobs queued during shutdown still run, so their continuations are resumed.
        let leftover = jobs.withLock { state -> [Job] in
            state.closed = true
            let taken = state.queue
            state.queue.removeAll()
            return taken
        }
        for job in leftover { job(state) }
        state.closeAll()
        let waiters = finished.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.done = true
            let taken = state.waiters
            state.waiters.removeAll()
            return taken
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Identifies a socket registered with a `ZMQEventLoop`; safe to pass between threads.
/// A timer of the loop, for `LoopState.cancel`.
public struct TimerID: Hashable, Sendable {
    let raw: Int
}

public struct SocketID: Hashable, Sendable {
    let raw: Int
}

/// The loop thread's own state: its sockets, their handlers and its timers. Exists only on the
/// loop thread; code reaches it through `ZMQEventLoop.execute`.
public final class LoopState {
    struct Entry {
        let id: SocketID
        let socket: ZMQSocket
        let handler: ([Data]) -> Void
    }

    struct Timer {
        let id: TimerID
        let interval: Int64
        var due: Int64
        let action: () -> Void
    }

    private(set) var entries: [Entry] = []
    private var timers: [Timer] = []
    private var nextID = 0

    init() {}

    /// Registers `socket`; `onMessage` runs on the loop thread for each multipart message.
    @discardableResult
    public func add(_ socket: ZMQSocket, onMessage: @escaping ([Data]) -> Void) -> SocketID {
        nextID += 1
        let id = SocketID(raw: nextID)
        entries.append(Entry(id: id, socket: socket, handler: onMessage))
        return id
    }

    public func socket(_ id: SocketID) -> ZMQSocket? { entries.first { $0.id == id }?.socket }

    func isRegistered(_ id: SocketID) -> Bool { entries.contains { $0.id == id } }

    /// Unregisters and closes the socket.
    public func remove(_ id: SocketID) {
        if let index = entries.firstIndex(where: { $0.id == id }) {
            entries[index].socket.close()
            entries.remove(at: index)
        }
    }

    /// Runs `action` on the loop thread every `milliseconds`, until cancelled.
    @discardableResult
    public func every(milliseconds: Int64, _ action: @escaping () -> Void) -> TimerID {
        nextID += 1
        let id = TimerID(raw: nextID)
        timers.append(Timer(id: id, interval: milliseconds, due: Self.now() + milliseconds, action: action))
        return id
    }

    /// Stops a timer started by `every`.
    public func cancel(_ timer: TimerID) {
        timers.removeAll { $0.id == timer }
    }

    func millisecondsUntilNextTimer(cap: Int) -> Int {
        guard let due = timers.map(\.due).min() else { return cap }
        return Int(max(0, min(Int64(cap), due - Self.now())))
    }

    func runDueTimers() {
        let now = Self.now()
        // By position re-checked each step: an action may cancel timers (a timer skipped
        // that way runs on the next pass), and the array must not be indexed past its end.
        var index = 0
        while index < timers.count {
            if timers[index].due <= now {
                timers[index].due = now + timers[index].interval
                let action = timers[index].action
                action()
            }
            index += 1
        }
    }

    func closeAll() {
        for entry in entries { entry.socket.close() }
        entries.removeAll()
        timers.removeAll()
    }

    /// Monotonic milliseconds.
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
