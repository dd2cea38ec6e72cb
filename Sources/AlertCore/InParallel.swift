import Dispatch

/// Runs `first` and `second` at the same time, on two threads, and returns
/// both results. For start-up's big, independent steps (reading the
/// incidents and reading their alerts): the machine has cores to spare then
/// and the daemon is not ready until they finish.
///
/// Measured before use: indexing a million incidents on two threads (by
/// group on one, by fingerprint on the other) was slower than on one, as
/// both walk the same boxes and allocate at once.
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
