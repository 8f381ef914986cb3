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
    /// threads. A `MALLOC_ARENA_MAX` in `environment` is glibc's own setting, read when the
    /// process started, and is left to glibc. Returns whether the limit was set here.
    @discardableResult
    public static func limit(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        #if canImport(CMalloc)
            guard environment["MALLOC_ARENA_MAX"] == nil else { return false }
            // mallopt answers 0 only for a parameter this glibc does not know: the service then
            // runs with glibc's default, as it did before the limit.
            return mallopt(M_ARENA_MAX, defaultCount) == 1
        #else
            return false
        #endif
    }
}
