import AlertCore
import DequeModule
import Foundation

/// Work for the pipeline thread.
enum PipelineWork: Sendable {
    /// Alerts from a listener with their fingerprints (computed by the
    /// sender's thread, not the pipeline's: it is a pure function of the
    /// alert as received); `done` (if any) runs after they are committed.
    case alerts([Alert], fingerprints: [String], done: (@Sendable (Result<[Fate], any Error>) -> Void)?)

    static func alerts(_ alerts: [Alert], done: (@Sendable (Result<[Fate], any Error>) -> Void)?) -> PipelineWork {
        .alerts(alerts, fingerprints: alerts.map(Fingerprint.of), done: done)
    }

    var isAlerts: Bool {
        if case .alerts = self { return true }
        return false
    }
    /// An admin change; runs in order with alerts, answered after commit.
    case command(@Sendable (inout IncidentEngine, Date) throws -> Void, done: @Sendable (Result<Void, any Error>) -> Void)
    /// A new classifier and incident settings from a reload; `done` runs
    /// once they are in force.
    case reconfigure(Classifier, IncidentSettings, PagingPolicy, done: @Sendable () -> Void)

    /// Whether someone waits for this work's commit to be answered.
    var awaitsCommit: Bool {
        switch self {
        case .alerts(_, _, let done): return done != nil
        case .command, .reconfigure: return true
        }
    }

    var alertCount: Int {
        if case .alerts(let alerts, _, _) = self { return alerts.count }
        return 0
    }
}

/// The bounded queue between listeners (many producers) and the pipeline
/// thread (one consumer), with room for `capacity` alerts. Datagram
/// listeners `offer` (refused when full); stream listeners `submit` and wait
/// for room. Admin work is never refused, so an operator can act during a flood.
final class IngestQueue: @unchecked Sendable {
    // All state below is guarded by `condition`.
    private let condition = NSCondition()
    private var items = Deque<PipelineWork>()
    private var queuedAlerts = 0
    private var waiters = Deque<CheckedContinuation<Void, Never>>()
    private var closed = false
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    var depth: Int { condition.withLock { queuedAlerts } }

    func offer(_ work: PipelineWork) -> Bool {
        condition.withLock { tryAppend(work) }
    }

    func submit(_ work: PipelineWork) async {
        while !offer(work) {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                condition.lock()
                if closed || queuedAlerts + work.alertCount <= capacity {
                    condition.unlock()
                    continuation.resume()
                } else {
                    waiters.append(continuation)
                    condition.unlock()
                }
            }
            if condition.withLock({ closed }) {
                _ = condition.withLock { appendAlways(work) }
                return
            }
        }
    }

    /// Blocks until work is queued; returns up to about `maxAlerts` alerts'
    /// worth (at least one item), or nil once closed and drained. With
    /// `idleFrom`, returns an empty batch instead if that time comes with
    /// nothing queued (the caller's cue to tidy up while idle).
    func take(maxAlerts: Int, idleFrom deadline: Date? = nil) -> [PipelineWork]? {
        condition.lock()
        if let deadline {
            while items.isEmpty && !closed && condition.wait(until: deadline) {}
            if items.isEmpty && !closed {
                condition.unlock()
                return []
            }
        }
        while items.isEmpty && !closed { condition.wait() }
        if items.isEmpty {
            condition.unlock()
            return nil
        }
        var batch: [PipelineWork] = []
        var taken = 0
        while let next = items.first, batch.isEmpty || taken + next.alertCount <= maxAlerts {
            items.removeFirst()
            taken += next.alertCount
            batch.append(next)
        }
        queuedAlerts -= taken
        let wake = Array(waiters)
        waiters.removeAll()
        condition.unlock()
        for waiter in wake { waiter.resume() }
        return batch
    }

    /// Waits until `alerts` are queued, the queue is closed, or `deadline`
    /// comes, whichever is first.
    func waitToFill(_ alerts: Int, until deadline: Date) {
        condition.lock()
        while queuedAlerts < alerts && !closed && condition.wait(until: deadline) {}
        condition.unlock()
    }

    /// No more waiting: `take` drains what is queued, then returns nil.
    func close() {
        condition.lock()
        closed = true
        let wake = Array(waiters)
        waiters.removeAll()
        condition.broadcast()
        condition.unlock()
        for waiter in wake { waiter.resume() }
    }

    private func tryAppend(_ work: PipelineWork) -> Bool {
        let count = work.alertCount
        if count > 0 && queuedAlerts > 0 && queuedAlerts + count > capacity { return false }
        return appendAlways(work)
    }

    private func appendAlways(_ work: PipelineWork) -> Bool {
        items.append(work)
        queuedAlerts += work.alertCount
        condition.signal()
        return true
    }
}
