import Foundation

/// Ports claimed machine-wide by a test process. Tests hand out ports from fixed ranges, and
/// another test process on the same machine (a second checkout's CI run, a developer's run)
/// hands out ports from the same ranges: being free to bind now is not enough, since the other
/// process may not yet have started what it took the port for. Each port handed out is claimed
/// by an exclusive lock on a file named after it, held until this process exits.
public enum MachinePorts {
    private static let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("carbonmeter-test-ports")

    /// Claims `port` for the rest of this process's life; false when another process holds it.
    public static func claim(_ port: Int) -> Bool {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let fd = open(folder.appendingPathComponent("\(port).lock").path, O_CREAT | O_RDWR, 0o644)
        // Without a lock folder (read-only temp) the claim cannot be made; fall back to binding alone.
        guard fd >= 0 else { return true }
        // The descriptor stays open on success: the kernel drops the lock when the process exits.
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
        close(fd)
        return false
    }
}
