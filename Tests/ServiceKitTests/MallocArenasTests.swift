import ServiceKit
import Testing

/// The services' arena limit: glibc takes it, and an operator's `MALLOC_ARENA_MAX` is left alone.
@Suite struct MallocArenasTests {
    @Test func glibcTakesTheLimit() {
        #expect(MallocArenas.limit(environment: [:]))
    }

    @Test func anOperatorsSettingIsLeftToGlibc() {
        #expect(!MallocArenas.limit(environment: ["MALLOC_ARENA_MAX": "8"]))
    }
}
