import AlertIO
import Logging
import Synchronization

/// Pings systemd's watchdog only while the pipeline loop really turns: each
/// tick (half the interval) queues a no-op behind whatever is queued and
/// pings once the loop has answered it. A stuck commit or a deadlocked loop
/// leaves the probe unanswered, the pings stop, and systemd restarts alertd.
/// An idle daemon answers at once, so it keeps pinging.
struct Watchdog: Sendable {
    let pipeline: Pipeline
    let interval: Duration
    let logger: Logger

    func run(notifier: SystemdNotifier) async {
        let sent = Atomic<Int>(0)
        let answered = Atomic<Int>(0)
        var warned = false
        while !Task.isCancelled {
            let probe = sent.load(ordering: .relaxed)
            if answered.load(ordering: .acquiring) == probe {
                // Only one probe in flight: a stuck loop does not pile them up.
                let next = probe + 1
                sent.store(next, ordering: .relaxed)
                pipeline.probe { answered.store(next, ordering: .releasing) }
            }
            do { try await Task.sleep(for: interval / 2) } catch { return }
            if answered.load(ordering: .acquiring) == sent.load(ordering: .relaxed) {
                notifier.watchdog()
                warned = false
            } else if !warned {
                logger.critical("pipeline has not answered for \(interval / 2); withholding the watchdog ping")
                warned = true
            }
        }
    }
}
