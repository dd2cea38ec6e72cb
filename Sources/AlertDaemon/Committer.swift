import AlertCore
import AlertStore
import Foundation

/// The pipeline's second thread: under a flood it commits one batch's
/// changes while the pipeline works out the next, so the engine's work and
/// SQLite's overlap on two cores (a new incident: the commit is about half
/// of it). Only a flood's batches come here, and nobody waits on those;
/// every other batch the pipeline commits itself, through `commitHere`,
/// before taking the next.
///
/// At most one batch is in flight. The pipeline hands over batch N+1 only
/// once N is committed (`awaitCommitted`), so while it works out a batch,
/// every batch but the one before is in the store. That is what lets the
/// engine read back from the store what it let go of: it never lets go of
/// an incident changed in the batch being committed
/// (`IncidentEngine.letGoOfQuietIncidents`).
final class Committer: @unchecked Sendable {
    /// One batch's commit: its changes, and what runs once they are stored
    /// (or could not be).
    struct Job {
        let changes: PreparedChanges
        let then: (Result<Void, any Error>) -> Void
    }

    private let store: any IncidentStore
    private let metrics: AlertdMetrics
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var next: Job?
    private var committing = false
    private var failure: (any Error)?
    private var stopped = false

    init(store: any IncidentStore, metrics: AlertdMetrics) {
        self.store = store
        self.metrics = metrics
    }

    /// Starts the thread; `prepare` runs on it first (the pipeline's nice).
    func start(prepare: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            prepare()
            Thread.current.name = "alertd-commit"  // from inside, as the pipeline's
            run()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits until the batch in flight, if any, is committed. Returns the
    /// error if its commit failed: the batch worked out since then rests on
    /// changes the store does not have.
    func awaitCommitted() -> (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        while next != nil || committing { condition.wait() }
        defer { failure = nil }
        return failure
    }

    /// Whether a commit failed that `awaitCommitted` has not reported yet.
    var failed: Bool { condition.withLock { failure != nil } }

    /// Hands over the next batch; `awaitCommitted` first.
    func commit(_ job: Job) {
        condition.lock()
        precondition(next == nil && !committing, "a batch is already in flight")
        next = job
        condition.broadcast()
        condition.unlock()
    }

    /// Commits `job` on the calling thread (nothing may be in flight:
    /// `awaitCommitted` first), as `commit` would on the committer's.
    func commitHere(_ job: Job) {
        condition.withLock {
            precondition(next == nil && !committing, "a batch is already in flight")
            committing = true
        }
        perform(job)
    }

    /// Ends the thread once it is idle; `awaitCommitted` first.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while next == nil && !stopped { condition.wait() }
            guard let job = next else {
                condition.unlock()
                return
            }
            next = nil
            committing = true
            condition.unlock()
            perform(job)
        }
    }

    private func perform(_ job: Job) {
        let result = apply(job.changes)
        // Noted before the senders hear of it: one who sends again at
        // once finds the pipeline already knowing (`failed`).
        if case .failure(let error) = result { condition.withLock { failure = error } }
        job.then(result)

        condition.lock()
        committing = false
        condition.broadcast()
        condition.unlock()
    }

    private func apply(_ changes: PreparedChanges) -> Result<Void, any Error> {
        let start = ContinuousClock.now
        do {
            try store.apply(changes)
            metrics.storeCommit.record(ContinuousClock.now - start)
            return .success(())
        } catch {
            return .failure(error)
        }
    }
}
