import Foundation

/// Whether an alert reports a problem or its end.
public enum AlertStatus: String, Sendable, Codable {
    case firing, resolved
}

/// One alert as received, after decoding and before classification.
///
/// Every wire format (native JSON, syslog, Alertmanager, PagerDuty) decodes
/// into this one shape; the pipeline never sees the wire.
public struct Alert: Sendable, Equatable {
    /// What is wrong, e.g. `disk_full` (`alertname` in Prometheus terms).
    public var check: String
    public var summary: String?
    public var description: String?
    /// Where it happened.
    public var host: String?
    /// Which system sent it.
    public var source: String?
    public var status: AlertStatus
    /// The sender's severity, if it gave one.
    public var severity: Severity?
    public var labels: [String: String]
    /// Overrides the computed fingerprint when set.
    public var dedupKey: String?
    /// The sender's timestamp, if any (informational; alertd's clock decides).
    public var timestamp: Date?
    /// When the sender says the alert resolves unless it sends it again
    /// (Alertmanager API's `endsAt`: Prometheus refreshes firing alerts and
    /// stops when a rule is deleted or Prometheus goes away).
    public var endsAt: Date?
    /// Name of the listener it arrived on (`ingest-udp`, `alertctl`, …).
    public var listener: String
    /// Wire format it was decoded from (`json`, `syslog`, …).
    public var format: String

    public init(
        check: String, summary: String? = nil, description: String? = nil, host: String? = nil,
        source: String? = nil, status: AlertStatus = .firing, severity: Severity? = nil,
        labels: [String: String] = [:], dedupKey: String? = nil, timestamp: Date? = nil, endsAt: Date? = nil,
        listener: String = "", format: String = "json"
    ) {
        self.check = check
        self.summary = summary
        self.description = description
        self.host = host
        self.source = source
        self.status = status
        self.severity = severity
        self.labels = labels
        self.dedupKey = dedupKey
        self.timestamp = timestamp
        self.endsAt = endsAt
        self.listener = listener
        self.format = format
    }

    /// The value a matcher or `group_by` sees for `name`: a built-in field
    /// (`check`, `host`, …) or else a label. Missing means empty, as in
    /// Alertmanager, so `env != "dev"` holds for an alert without `env`.
    public func value(of name: String) -> String {
        switch name {
        case "check", "alertname": return check
        case "host": return host ?? ""
        case "source": return source ?? ""
        case "summary": return summary ?? ""
        case "description": return description ?? ""
        case "severity": return severity?.description ?? ""
        case "status": return status.rawValue
        case "listener": return listener
        case "format": return format
        default: return labels[name] ?? ""
        }
    }

    /// A people-facing one-line title: `node-7: disk full`.
    public var title: String {
        let what = summary.flatMap { $0.isEmpty ? nil : $0 } ?? check
        if let host, !host.isEmpty { return "\(host): \(what)" }
        return what
    }
}
