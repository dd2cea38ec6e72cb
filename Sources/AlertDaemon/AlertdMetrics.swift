import AlertCore
import AlertIO
import Prometheus
import Synchronization

/// alertd's metrics (SPEC §10), in one Prometheus registry. `/metrics`
/// serves `registry`; `alertctl stats` sums the same text, so the two never
/// disagree.
public final class AlertdMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let deduplicated: Counter
    let committed: Counter
    let queued: Gauge
    let storeCommit: DurationHistogram
    private let dropped = Mutex<[String: Counter]>([:])
    private let opened: [Severity: Counter]
    private let openGauge: [Severity: Gauge]
    private let breaches: [Severity: Counter]
    private let toAcknowledge: [Severity: ValueHistogram]
    private let toResolve: [Severity: ValueHistogram]
    private let pages = Mutex<[String: Counter]>([:])
    let outboxPending: Gauge

    public init() {
        deduplicated = registry.makeCounter(
            name: "alertd_alerts_deduplicated_total", help: "Alerts that repeated or joined an open incident.")
        committed = registry.makeCounter(
            name: "alertd_alerts_committed_total",
            help: "Alerts through the pipeline and on disk; received minus this is the backlog.")
        queued = registry.makeGauge(
            name: "alertd_ingest_queue_alerts", help: "Alerts received and waiting for the pipeline (max_queued bounds it).")
        storeCommit = registry.makeDurationHistogram(
            name: "alertd_store_commit_seconds",
            buckets: [.microseconds(250), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1)],
            help: "Time to commit one batch to the store.")
        var opened: [Severity: Counter] = [:]
        var openGauge: [Severity: Gauge] = [:]
        var breaches: [Severity: Counter] = [:]
        var toAcknowledge: [Severity: ValueHistogram] = [:]
        var toResolve: [Severity: ValueHistogram] = [:]
        // Seconds: 1m, 5m, 15m, 30m, 1h, 4h, 1d, 2d, 1w.
        let responseBuckets: [Double] = [60, 300, 900, 1800, 3600, 14400, 86400, 172_800, 604_800]
        for severity in Severity.allCases {
            opened[severity] = registry.makeCounter(
                name: "alertd_incidents_opened_total", labels: [("severity", severity.description)],
                help: "Incidents opened.")
            openGauge[severity] = registry.makeGauge(
                name: "alertd_incidents_open", labels: [("severity", severity.description)],
                help: "Incidents not yet resolved.")
            breaches[severity] = registry.makeCounter(
                name: "alertd_response_target_breaches_total", labels: [("severity", severity.description)],
                help: "Incidents not acknowledged within their policy's ack_within.")
            toAcknowledge[severity] = registry.makeValueHistogram(
                name: "alertd_time_to_acknowledge_seconds", labels: [("severity", severity.description)],
                buckets: responseBuckets, help: "Open to acknowledged (maintenance incidents excluded).")
            toResolve[severity] = registry.makeValueHistogram(
                name: "alertd_time_to_resolve_seconds", labels: [("severity", severity.description)],
                buckets: responseBuckets, help: "Open to resolved (maintenance incidents excluded).")
        }
        self.opened = opened
        self.openGauge = openGauge
        self.breaches = breaches
        self.toAcknowledge = toAcknowledge
        self.toResolve = toResolve
        outboxPending = registry.makeGauge(name: "alertd_outbox_pending", help: "Pages waiting to be delivered.")
    }

    /// Counters for one listener, made once so the hot path only increments.
    public func listener(_ name: String) -> any ListenerMetrics { PrometheusListenerMetrics(name: name, registry: registry) }

    func incidentOpened(_ severity: Severity) { opened[severity]!.increment() }

    func responseTargetBreached(_ severity: Severity) { breaches[severity]!.increment() }

    func timeToAcknowledge(_ severity: Severity, seconds: Double) { toAcknowledge[severity]!.record(seconds) }

    func timeToResolve(_ severity: Severity, seconds: Double) { toResolve[severity]!.record(seconds) }

    /// `alertd_pages_total{receiver,result}`, result `sent`, `failed` or `gave_up`.
    func page(receiver: String, result: String) {
        let key = receiver + "\u{0}" + result
        let counter = pages.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(
                name: "alertd_pages_total", labels: [("receiver", receiver), ("result", result)],
                help: "Page delivery attempts by receiver and result.")
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    func setOpenIncidents(_ counts: [Severity: Int]) {
        for (severity, gauge) in openGauge { gauge.set(Double(counts[severity] ?? 0)) }
    }

    func alertDropped(rule: String) {
        let counter = dropped.withLock { counters in
            if let counter = counters[rule] { return counter }
            let counter = registry.makeCounter(
                name: "alertd_alerts_dropped_total", labels: [("rule", rule)], help: "Alerts dropped by a rule.")
            counters[rule] = counter
            return counter
        }
        counter.increment()
    }

    /// The sum of every series of metric `name` (all label values).
    public func total(_ name: String) -> Double {
        var sum = 0.0
        for line in registry.emitToString().split(separator: "\n") where line.hasPrefix(name) {
            let rest = line.dropFirst(name.count)
            guard rest.first == "{" || rest.first == " " else { continue }
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { sum += value }
        }
        return sum
    }
}

private final class PrometheusListenerMetrics: ListenerMetrics {
    private let name: String
    private let registry: PrometheusCollectorRegistry
    private let receivedByFormat = Mutex<[String: Counter]>([:])
    private let rejectedByReason: [DecodeError.Reason: Counter]

    init(name: String, registry: PrometheusCollectorRegistry) {
        self.name = name
        self.registry = registry
        var rejected: [DecodeError.Reason: Counter] = [:]
        for reason in DecodeError.Reason.allCases {
            rejected[reason] = registry.makeCounter(
                name: "alertd_alerts_rejected_total", labels: [("listener", name), ("reason", reason.rawValue)],
                help: "Input refused, by listener and reason.")
        }
        rejectedByReason = rejected
        _ = counter(format: "json")
    }

    func received(format: String, count: Int) { counter(format: format).increment(by: Int64(count)) }

    func rejected(_ reason: DecodeError.Reason, count: Int) { rejectedByReason[reason]?.increment(by: Int64(count)) }

    private func counter(format: String) -> Counter {
        receivedByFormat.withLock { counters in
            if let counter = counters[format] { return counter }
            let counter = registry.makeCounter(
                name: "alertd_alerts_received_total", labels: [("listener", name), ("format", format)],
                help: "Alerts decoded, by listener and wire format.")
            counters[format] = counter
            return counter
        }
    }
}
