import Foundation
import Synchronization

/// How a command run ended.
enum CommandEnd: Sendable, Hashable {
    case exited(Int32)
    case signalled(Int32)
    /// Still running at its deadline; its whole process group was killed.
    case timedOut(milliseconds: Int)
}

/// What a command printed and how it ended.
struct CommandResult: Sendable {
    var end: CommandEnd
    var stdout: Data
    var stderr: Data
    /// True when stdout went past the limit and the rest was dropped.
    var truncated: Bool
}

/// Runs a command with a deadline and collects its output as it comes, so that what a command
/// printed before it hung or crashed is still there. Foundation starts the child in a process
/// group of its own; on timeout the whole group is killed, so a shell's children die with it.
enum CommandRunner {
    private final class Output: Sendable {
        let stdout = Mutex(Data())
        let stderr = Mutex(Data())
        let truncated = Mutex(false)
        let openStreams = Mutex(2)
        let limit: Int
        init(limit: Int) { self.limit = limit }
    }

    /// Runs `command` (looked up on PATH); never waits longer than `timeoutMilliseconds` plus a
    /// few seconds for the killed process to go away.
    static func run(_ command: [String], timeoutMilliseconds: Int, outputLimit: Int = 64 * 1_048_576) async throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardInput = FileHandle.nullDevice
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        let output = Output(limit: outputLimit)
        outPipe.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                handle.readabilityHandler = nil
                output.openStreams.withLock { $0 -= 1 }
                return
            }
            let overflow = output.stdout.withLock { data -> Bool in
                guard data.count + chunk.count <= output.limit else { return true }
                data.append(chunk)
                return false
            }
            if overflow { output.truncated.withLock { $0 = true } }
        }
        errPipe.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                handle.readabilityHandler = nil
                output.openStreams.withLock { $0 -= 1 }
                return
            }
            // Only the tail of stderr is kept: it is for the log line.
            output.stderr.withLock { data in
                data.append(chunk)
                if data.count > 8_192 { data = data.suffix(4_096) }
            }
        }
        let (terminated, signal) = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in
            signal.yield()
            signal.finish()
        }
        try process.run()

        var timedOut = false
        if !(await wait(for: terminated, milliseconds: timeoutMilliseconds)) {
            timedOut = true
            let pid = process.processIdentifier
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            _ = await wait(for: terminated, milliseconds: 5_000)
        }
        // The pipes reach end of file once every process holding them is gone; wait a little for
        // the last bytes, but not for a grandchild that escaped the group and keeps them open.
        for _ in 0..<100 where output.openStreams.withLock({ $0 }) > 0 {
            // Cancelled: stop waiting for the last bytes; what was read is returned.
            try? await Task.sleep(for: .milliseconds(10))
        }
        outPipe.fileHandleForReading.readabilityHandler = nil
        errPipe.fileHandleForReading.readabilityHandler = nil

        let end: CommandEnd
        if timedOut {
            end = .timedOut(milliseconds: timeoutMilliseconds)
        } else if process.terminationReason == .uncaughtSignal {
            end = .signalled(process.terminationStatus)
        } else {
            end = .exited(process.terminationStatus)
        }
        return CommandResult(
            end: end, stdout: output.stdout.withLock { $0 }, stderr: output.stderr.withLock { $0 }, truncated: output.truncated.withLock { $0 })
    }

    /// True when `stream` finished within `milliseconds`.
    private static func wait(for stream: AsyncStream<Void>, milliseconds: Int) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in stream {}
                return !Task.isCancelled
            }
            group.addTask {
                // Cancelled once the stream finished first; the answer is then that one.
                try? await Task.sleep(for: .milliseconds(milliseconds))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
