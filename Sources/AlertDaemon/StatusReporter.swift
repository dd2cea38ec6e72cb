import AlertCore
import AlertIO
import AlertStore
import Foundation
import Synchronization

/// The one-line status `systemctl status alertd` shows (SPEC §8), e.g.
/// `open: SEV1 1, SEV2 0, SEV3 4, SEV4 0 · 120.5 alerts/s · queue 0 · outbox 0`,
/// refreshed every few seconds.
final class StatusReporter: Sendable {
    private let pipeline: Pipeline
    private let store: any IncidentStore
    private let metrics: AlertdMetrics
    private let outbox = Atomic<Int>(0)
    private let rate = Mutex<(at: ContinuousClock.Instant, received: Double, perSecond: Double)>(
        (ContinuousClock.now, 0, 0))
    static let interval: Duration = .seconds(5)

    init(pipeline: Pipeline, store: any IncidentStore, metrics: AlertdMetrics) {
        self.pipeline = pipeline
        self.store = store
        self.metrics = metrics
    }

    func line() -> String {
        let open = pipeline.openIncidents
        let counts = Severity.allCases.map { "\($0) \(open[$0] ?? 0)" }.joined(separator: ", ")
        let perSecond = rate.withLock { $0.perSecond }
        return "open: \(counts) · \(String(format: "%.1f", perSecond)) alerts/s · queue \(pipeline.queueDepth)"
            + " · outbox \(outbox.load(ordering: .relaxed))"
    }

    func run(notifier: SystemdNotifier) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: Self.interval) } catch { return }
            let received = metrics.total("alertd_alerts_received_total")
            let now = ContinuousClock.now
            rate.withLock { state in
                let seconds = Double((now - state.at).components.seconds) + Double((now - state.at).components.attoseconds) / 1e18
                state.perSecond = seconds > 0 ? (received - state.received) / seconds : 0
                state = (now, received, state.perSecond)
            }
            if let pending = try? store.pendingPageCount() {
                outbox.store(pending, ordering: .relaxed)
                metrics.outboxPending.set(Double(pending))
            }
            notifier.status(line())
        }
    }
}
