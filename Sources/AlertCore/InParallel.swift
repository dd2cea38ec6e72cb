import Dispatch

/// Runs `first` and `second` at the same time, on two threads, and returns
/// both results. For start-up's big, independent steps (reading incidents
/// and reading alerts; indexing incidents and indexing alerts): the machine
/// has cores to spare then and the daemon is not ready until they finish.
///
/// Each closure must touch only what it owns or what nobody changes while
/// they run (a shared table both only read is fine).
public func inParallel<A, B>(_ first: @Sendable () -> A, _ second: @Sendable () -> B) -> (A, B) {
    let firstResult = Slot<A>()
    let secondResult = Slot<B>()
    withoutActuallyEscaping(first) { first in
        withoutActuallyEscaping(second) { second in
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                if part == 0 { firstResult.value = first() } else { secondResult.value = second() }
            }
        }
    }
    return (firstResult.take(), secondResult.take())
}

/// Where one of `inParallel`'s threads leaves its result: written by that
/// thread only, read after `concurrentPerform` has returned.
private final class Slot<Value>: @unchecked Sendable {
    var value: Value?

    /// Hands the value over: a table left shared with this slot would be
    /// copied whole by its first change.
    func take() -> Value {
        defer { value = nil }
        return value!
    }
}
