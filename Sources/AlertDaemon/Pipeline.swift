import AlertCore
import AlertIO
import AlertStore
import Foundation
import Logging
import Synchronization

/// The ingest queue was full; nothing of the refused work was queued.
public struct PipelineOverloaded: Error, CustomStringConvertible {
    public let queued: Int
    public var description: String { "alertd is overloaded (\(queued) alerts queued); retry shortly" }
}

/// The single writer: one thread takes batches from the queue, runs each
/// alert through fingerprint → classify → dedup/group (the pure engine),
/// commits the batch's changes in ONE transaction (under a flood, on the
/// `Committer`'s thread while this one works out the next batch), and only
/// then tells the waiting senders. Everything that mutates incidents goes
/// through here, in order, so the engine needs no locks.
public final class Pipeline: AlertSink, @unchecked Sendable {
    // `engine` and `classifier` are touched only by the pipeline thread.
    private var engine: IncidentEngine
    private var classifier: Classifier
    private let store: any IncidentStore
    private let clock: any WallClock
    private let metrics: AlertdMetrics
    private let logger: Logger
    private let queue: IngestQueue
    private let committer: Committer
    private let maxBatch: Int
    /// Group commit under a flood (see `start`): after a batch of at least
    /// `floodBatch` alerts that nobody waits on, the next batch may wait up
    /// to `floodWindow` to fill.
    private let floodBatch: Int
    private let floodWindow: TimeInterval = 0.010
    private let residentIncidents: Int
    private let finished = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let done = Atomic<Bool>(false)
    /// Active incidents by severity as of the last commit, for status lines.
    private let published = Mutex<[Severity: Int]>([:])
    /// Called after a commit that queued pages, so the dispatcher sends them at once.
    private let pagesQueued = Mutex<Action?>(nil)

    /// A closure kept in a struct: a function value stored directly in a
    /// `Mutex` is re-wrapped in two reabstraction thunks on every `withLock`
    /// (the inout write-back), so each commit made the next call one layer
    /// deeper (seen in a profile as 100+ nested thunks after a few thousand
    /// commits).
    private struct Action: Sendable {
        let run: @Sendable () -> Void
    }

    public init(
        store: any IncidentStore, classifier: Classifier, settings: IncidentSettings, paging: PagingPolicy,
        clock: any WallClock,
        metrics: AlertdMetrics, logger: Logger, queueCapacity: Int = 100_000, maxBatch: Int = 10_000,
        residentIncidents: Int = 20_000, floodBatch: Int = 1_000
    ) throws {
        self.store = store
        self.classifier = classifier
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
        self.maxBatch = maxBatch
        self.residentIncidents = residentIncidents
        self.floodBatch = floodBatch
        queue = IngestQueue(capacity: queueCapacity)
        committer = Committer(store: store, metrics: metrics)
        let loading = ContinuousClock.now
        engine = try Self.loadEngine(
            from: store, settings: settings, paging: paging, now: clock.now(), residentIncidents: residentIncidents)
        let open = engine.activeCounts.values.reduce(0, +)
        logger.info("incidents: \(open) open, indexed in \(ContinuousClock.now - loading)")
        publish(engine.activeCounts)
    }

    /// Runs `action` after every commit that queued pages due now.
    func onPagesQueued(_ action: @escaping @Sendable () -> Void) { pagesQueued.withLock { $0 = Action(run: action) } }

    /// Active incidents by severity as of the last commit.
    public var openIncidents: [Severity: Int] { published.withLock { $0 } }

    /// Alerts waiting for the pipeline.
    public var queueDepth: Int { queue.depth }

    // MARK: AlertSink

    public func offer(_ alerts: [Alert]) -> Bool { queue.offer(.alerts(alerts, done: nil)) }

    public func submit(_ alerts: [Alert]) async { await queue.submit(.alerts(alerts, done: nil)) }

    /// Queues `alerts` and returns their fates once they are committed.
    public func ingestDurably(_ alerts: [Alert]) async throws -> [Fate] {
        try await withCheckedThrowingContinuation { continuation in
            let work = PipelineWork.alerts(alerts, done: { continuation.resume(with: $0) })
            Task { await queue.submit(work) }
        }
    }

    /// Like `ingestDurably`, but refuses at once (`PipelineOverloaded`)
    /// instead of waiting when the queue is full: for senders that are told
    /// to come back (HTTP 429/503) rather than held. `done` runs on the
    /// pipeline thread after the commit (or at once when refused), so it
    /// should only hand the result on (HTTP hops back to its event loop).
    public func ingestDurablyUnlessFull(
        _ alerts: [Alert], done: @escaping @Sendable (Result<[Fate], any Error>) -> Void
    ) {
        if !queue.offer(.alerts(alerts, done: done)) { done(.failure(PipelineOverloaded(queued: queue.depth))) }
    }

    /// Runs an admin change on the engine, in order with alerts; returns after commit.
    func perform(_ change: @escaping @Sendable (inout IncidentEngine, Date) throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            _ = queue.offer(.command(change, done: { continuation.resume(with: $0) }))
        }
    }

    /// The active incident holding an alert with this fingerprint
    /// (`IncidentEngine.incident(holding:)`), once everything queued before
    /// is committed: the store then says what the engine says.
    func incident(holding fingerprint: String) async throws -> Int64? {
        final class Answer: Sendable { let id = Mutex<Int64?>(nil) }
        let answer = Answer()
        try await perform { engine, _ in answer.id.withLock { $0 = engine.incident(holding: fingerprint) } }
        return answer.id.withLock { $0 }
    }

    /// Queues the escalation cycle (`IncidentEngine.tick`) at the clock's now.
    func tick() {
        _ = queue.offer(.command({ engine, now in engine.tick(now: now) }, done: { _ in }))
    }

    /// Queues a no-op behind everything queued so far; `answered` runs once
    /// the loop reaches it. The watchdog's evidence that the loop turns.
    func probe(answered: @escaping @Sendable () -> Void) {
        _ = queue.offer(.command({ _, _ in }, done: { _ in answered() }))
    }

    /// Puts a new classifier, settings and paging policy in force for
    /// everything queued after this call; returns once they are.
    func reconfigure(_ classifier: Classifier, _ settings: IncidentSettings, _ paging: PagingPolicy) async {
        await withCheckedContinuation { continuation in
            _ = queue.offer(.reconfigure(classifier, settings, paging, done: { continuation.resume() }))
        }
    }

    // MARK: The loop

    /// Starts the pipeline thread and its committer.
    public func start() {
        committer.start(prepare: Self.yieldToListeners)
        let thread = Thread { [self] in
            // Named from inside: on Linux a name set before `start()` is not
            // applied. `top -H` and `/proc/PID/task/*/comm` then show it.
            Self.yieldToListeners()  // before the name: a thread named so is already niced
            Thread.current.name = "alertd-pipeline"
            // A second after the last alerts (ticks and probes do not count),
            // hand back what the burst's garbage left free (`FreedMemory`).
            var tidyFrom: Date?
            while let batch = queue.take(maxAlerts: maxBatch, idleFrom: tidyFrom) {
                guard !batch.isEmpty else {
                    let took = FreedMemory.giveBack()
                    logger.debug("idle: gave freed memory back to the system in \(took)")
                    tidyFrom = nil
                    continue
                }
                if batch.contains(where: \.isAlerts) { tidyFrom = Date().addingTimeInterval(1) }
                let flooded = batch.reduce(0) { $0 + $1.alertCount } >= floodBatch && !batch.contains(where: \.awaitsCommit)
                process(batch, pipelined: flooded)
                // A flood of datagrams or stream lines: let the next batch
                // fill for a moment. Most of a commit's cost is per
                // fingerprint in the batch (its rows, its first decision),
                // not per alert, so ten times the alerts per batch cost
                // little more than one batch's worth (`make bench`'s
                // microbench by batch size). Never while someone waits on
                // the commit (an HTTP request, a command): those are answered
                // at once, and a lone alert on a quiet pipeline never waits.
                if flooded { queue.waitToFill(maxBatch, until: Date().addingTimeInterval(floodWindow)) }
            }
            if let error = committer.awaitCommitted() { logger.error("store commit failed at shutdown: \(error)") }
            committer.stop()
            done.store(true, ordering: .releasing)
            finished.withLock { $0?.resume(); $0 = nil }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Nice 5 for the calling thread alone (Linux schedules threads, so
    /// the value is the thread's; the committer's is set the same way):
    /// when the cores are all busy, the listeners run first. A UDP or Unix
    /// datagram socket cannot push back, and what its receive buffer cannot
    /// hold is lost; the pipeline's queue holds 100k alerts, and the longer
    /// it grows the larger (and cheaper per alert) its batches. An idle
    /// machine is unaffected.
    private static func yieldToListeners() {
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 5)  // 0: the calling thread, on Linux
    }

    /// Processes everything queued so far, then stops the thread.
    public func drainAndStop() async {
        await withCheckedContinuation { continuation in
            let alreadyDone = finished.withLock { slot -> Bool in
                if done.load(ordering: .acquiring) { return true }
                slot = continuation
                return false
            }
            if alreadyDone { continuation.resume() }
            queue.close()
        }
    }

    /// `pipelined`: committed by the committer while the next batch is
    /// worked out, else here and now. Only a flood's batches are: the next
    /// batch taken at once is the smaller for it, and where senders wait
    /// on each commit (HTTP, commands), smaller batches are more commits
    /// (each with its fsync) and a handover more per answer.
    private func process(_ batch: consuming [PipelineWork], pipelined: Bool) {
        let now = clock.now()
        // A commit failed since the last batch: start from the store's state.
        if committer.failed, let error = committer.awaitCommitted() { reload(after: error) }
        var replies: [(Result<Void, any Error>) -> Void] = []
        var alertCount = 0
        var deduplicated = 0
        // Incidents let go of that this batch's alerts belong to, read back in one go.
        engine.readBack(holding: batch.lazy.flatMap { work -> [String] in
            if case .alerts(_, let fingerprints, _) = work { return fingerprints }
            return []
        })
        for index in batch.indices {
            switch batch[index] {
            case .alerts(var alerts, let fingerprints, let done):
                // Taken out of the batch, `alerts` is the only reference to
                // its storage, so each alert is classified where it lies
                // rather than copied out (a copy retains every field).
                batch[index] = .alerts([], fingerprints: [], done: nil)
                alertCount += alerts.count
                var fates: [Fate] = []
                fates.reserveCapacity(done == nil ? 0 : alerts.count)
                for position in alerts.indices {
                    let fate = ingest(&alerts[position], fingerprint: fingerprints[position], now: now)
                    if fate.decision == .deduplicated { deduplicated += 1 }
                    if done != nil { fates.append(fate) }
                }
                if let done { replies.append { result in done(result.map { fates }) } }
            case .command(let change, let done):
                do {
                    try change(&engine, now)
                    replies.append(done)
                } catch {
                    done(.failure(error))
                }
            case .reconfigure(let classifier, let settings, let paging, let done):
                self.classifier = classifier
                engine.settings = settings
                engine.paging = paging
                done()
            }
        }
        let changes = engine.takeChanges(now: now)
        if let error = engine.sourceError {
            logger.error("could not read an incident back from the store: \(error)")
            engine.sourceError = nil
        }
        let counts = engine.activeCounts
        // Its texts encoded here, before waiting for the batch in flight:
        // under a flood this thread has time to spare, the committer's sets
        // the pace (`PreparedChanges`).
        let job = Committer.Job(changes: PreparedChanges(changes)) { [self, alertCount, deduplicated] result in
            // The gauges before the committed count: whoever waits for the
            // count then reads gauges that include the same batch.
            publish(counts)
            if case .success = result {
                metrics.committed.increment(by: Int64(alertCount))
                // Counted per batch: a counter's update is not free, and most alerts are repeats.
                if deduplicated > 0 { metrics.deduplicated.increment(by: Int64(deduplicated)) }
                PipelineMetrics(metrics: metrics).record(changes)
                IncidentEventLog(logger: logger).record(changes)
                // Only for pages due now: held ones (business hours) and retries
                // come up at the dispatcher's poll. Woken for those too, it read
                // the outbox after every commit that opened an incident.
                if changes.pages.contains(where: { $0.state == .pending && $0.nextAttemptAt <= now }) {
                    pagesQueued.withLock { $0 }?.run()
                }
            }
            // HTTP answers go to their event loops together, one wake-up per loop.
            EventLoopHandOff.together { for reply in replies { reply(result) } }
        }
        // Batch N+1 is worked out while N commits; it is handed over once
        // N is in the store (see `Committer`).
        if let error = committer.awaitCommitted() {
            // Memory ran ahead of disk: nobody was told "stored" (of the
            // failed batch nor of this one, worked out on top of it), so
            // rebuild the engine from what the store really holds.
            reload(after: error)
            EventLoopHandOff.together { for reply in replies { reply(.failure(error)) } }
            return
        }
        metrics.queued.set(Double(queue.depth))
        if pipelined { committer.commit(job) } else { committer.commitHere(job) }
    }

    /// Active incidents by severity, for the gauges and status lines.
    private func publish(_ counts: [Severity: Int]) {
        metrics.setOpenIncidents(counts)
        published.withLock { $0 = counts }
    }

    /// `fingerprint` is the identity of the alert as received (before any
    /// rule's `set_labels`).
    private func ingest(_ alert: inout Alert, fingerprint: String, now: Date) -> Fate {
        let classification = classifier.classify(&alert)
        let fate = engine.ingest(alert, fingerprint: fingerprint, classification: classification, now: now)
        if fate.decision == .dropped {
            metrics.alertDropped(rule: classification.rule ?? (alert.format == "syslog" ? "syslog-info-debug" : ""))
        }
        return fate
    }

    /// The engine as the store has it: every active incident indexed, none
    /// held in memory until needed (then at most `residentIncidents` stay;
    /// the rest are read back from the store when needed).
    private static func loadEngine(
        from store: any IncidentStore, settings: IncidentSettings, paging: PagingPolicy, now: Date, residentIncidents: Int
    ) throws -> IncidentEngine {
        var engine = try store.loadEngine(
            settings: settings, paging: paging, resolvedSince: now.addingTimeInterval(-settings.reopenWithin))
        engine.residentLimit = residentIncidents
        return engine
    }

    /// After a failed commit, once nothing is in flight: the engine as the store has it.
    private func reload(after error: any Error) {
        logger.error("store commit failed; reloading state from the store: \(error)")
        defer { publish(engine.activeCounts) }
        do {
            engine = try Self.loadEngine(
                from: store, settings: engine.settings, paging: engine.paging, now: clock.now(),
                residentIncidents: residentIncidents)
        } catch {
            logger.critical("cannot reload state from the store: \(error)")
        }
    }
}
