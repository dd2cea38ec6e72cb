import NIOCore
import NIOPosix

/// Work for event loops from a thread that is not one of them, handed over
/// together: inside `together`, every `execute` on this thread is held,
/// and when the body returns each event loop gets its share in one
/// hand-off instead of one per piece of work.
///
/// The pipeline answers every HTTP request of a commit at once (four or
/// so one-alert requests per commit, from eight connections on two event
/// loops); each `EventLoop.execute` from outside a loop takes its lock and
/// writes its eventfd to wake it, and each wake-up is a trip through the
/// kernel on both sides (docs/benchmarks.md).
public enum EventLoopHandOff {
    /// Runs `body`; work given to `execute` on this thread meanwhile is
    /// handed over when it returns, in the order given, per loop.
    public static func together(_ body: () -> Void) {
        if held.currentValue != nil { return body() }
        let pending = Pending()
        held.currentValue = pending
        body()
        held.currentValue = nil
        for (loop, work) in pending.byLoop {
            loop.execute { for item in work { item() } }
        }
    }

    /// Runs `work` on `loop`: at once when called on it, with the rest of
    /// a `together` body's work, or on its own.
    public static func execute(on loop: any EventLoop, _ work: @escaping @Sendable () -> Void) {
        if loop.inEventLoop {
            work()
        } else if let pending = held.currentValue {
            pending.add(work, for: loop)
        } else {
            loop.execute(work)
        }
    }

    /// Held work of one `together`, touched only by the thread running it.
    private final class Pending {
        /// Few loops (one per core), so a list, not a dictionary.
        var byLoop: [(loop: any EventLoop, work: [@Sendable () -> Void])] = []

        func add(_ work: @escaping @Sendable () -> Void, for loop: any EventLoop) {
            if let index = byLoop.firstIndex(where: { $0.loop === loop }) {
                byLoop[index].work.append(work)
            } else {
                byLoop.append((loop, [work]))
            }
        }
    }

    nonisolated(unsafe) private static let held = ThreadSpecificVariable<Pending>()
}
