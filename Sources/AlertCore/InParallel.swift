import Dispatch
import Foundation

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

/// Hands values from one thread to another, in order: one `inParallel`
/// thread reads rows while the other builds from what was read so far.
/// `finish()` ends the stream; `take()` then returns nil.
public final class Handoff<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private let ready = DispatchSemaphore(value: 0)
    private var items: [Value?] = []
    private var next = 0

    public init() {}

    public func put(_ value: Value) { append(value) }

    public func finish() { append(nil) }

    /// Waits for the next value; nil once the stream is finished.
    public func take() -> Value? {
        ready.wait()
        return lock.withLock {
            guard let value = items[next] else {
                ready.signal()  // finished stays finished
                return nil
            }
            items[next] = nil
            next += 1
            return value
        }
    }

    private func append(_ value: Value?) {
        lock.withLock { items.append(value) }
        ready.signal()
    }
}
