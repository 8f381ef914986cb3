#if canImport(CMalloc)
    import CMalloc
#endif
import Foundation

/// How many malloc arenas a service's threads share. glibc gives each thread that finds the
/// allocator busy an arena of its own (up to eight per core), and memory freed into one arena
/// is not handed to another: a service's peak memory then depends on which threads happened to
/// allocate its large, short-lived buffers. Under the provider mix at 50,000 tenants the
/// calculator's peak RSS landed either near 270 MB or at 355–420 MB from one run to the next of
/// the same build; with two arenas every run landed near 270 MB, at no measurable cost in CPU
/// per line (`docs/PERFORMANCE.md`).
public enum MallocArenas {
    /// The arenas a service uses unless `MALLOC_ARENA_MAX` says otherwise.
    public static let defaultCount: Int32 = 2

    /// Limits the arenas to ``defaultCount``, early in `run()`, before the service starts its
    /// threads. A `MALLOC_ARENA_MAX` in the environment is glibc's own setting and is left to
    /// glibc (read when the process started).
    public static func limit() {
        #if canImport(CMalloc)
            guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
            // mallopt returns 0 only for a parameter glibc does not know; the limit is then
            // glibc's default, which is what the service ran with before.
            _ = mallopt(M_ARENA_MAX, defaultCount)
        #endif
    }
}
