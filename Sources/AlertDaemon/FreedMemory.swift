#if canImport(Glibc)
import Glibc
#endif

/// Gives memory that malloc holds free back to the system.
///
/// A burst of alerts leaves garbage behind (frames, decoded alerts, the
/// batches' change sets) in the malloc arenas of the threads that made it;
/// glibc keeps those pages, so RSS stays at the burst's high-water mark
/// while the open incidents need far less. The pipeline calls this once it
/// has been idle for a second after ingesting: `malloc_trim` returns every
/// free page (not only the top of each heap). Measured with 300k open
/// alerts: ~100 MB given back, once the engine's long-lived strings no
/// longer pin the listeners' arenas (`String.keptCopy`).
enum FreedMemory {
    /// Returns how long it took (it locks each arena in turn).
    @discardableResult
    static func giveBack() -> Duration {
        let clock = ContinuousClock()
        return clock.measure {
            _ = trim?(0)
            // jemalloc (alertd links it: see docs/architecture.md) keeps its
            // own arenas; `arena.<MALLCTL_ARENAS_ALL>.purge` returns their
            // free pages as `malloc_trim` does glibc's.
            _ = mallctl?("arena.4096.purge", nil, nil, nil, 0)
        }
    }

    /// jemalloc's `mallctl(name, oldp, oldlenp, newp, newlen)`.
    private typealias Mallctl = @convention(c) (
        UnsafePointer<CChar>, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?, UnsafeMutableRawPointer?, Int
    ) -> Int32

    /// jemalloc's `mallctl`, when jemalloc is the process's malloc.
    private static let mallctl: Mallctl? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallctl") else { return nil }
        return unsafeBitCast(symbol, to: Mallctl.self)
        #else
        return nil
        #endif
    }()

    /// glibc's `malloc_trim`, looked up at run time: Swift's Glibc module
    /// does not export `<malloc.h>`, and another libc may not have it.
    private static let trim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()
}
