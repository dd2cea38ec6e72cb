import AlertCore
import Foundation

// `format: alertmanager`: the body Alertmanager's `webhook_config` posts
// (prometheus.io/docs/alerting/latest/configuration/#webhook_config), so a
// receiver written for Alertmanager works unchanged. A sample:
//
// {"version":"4","groupKey":"fp:0c1d…","truncatedAlerts":0,"status":"firing",
//  "receiver":"oncall","groupLabels":{"alertname":"disk_full"},
//  "commonLabels":{"alertname":"disk_full","instance":"node-7","severity":"critical"},
//  "commonAnnotations":{"summary":"disk full"},"externalURL":"",
//  "alerts":[{"status":"firing","labels":{…},"annotations":{"summary":"disk full"},
//             "startsAt":"2026-11-23T20:10:00Z","endsAt":"0001-01-01T00:00:00Z",
//             "generatorURL":"","fingerprint":"0c1d…"}]}

/// Alertmanager's webhook payload, version 4.
public struct AlertmanagerPayload: Codable, Sendable, Equatable {
    public struct Alert: Codable, Sendable, Equatable {
        public var status: String
        public var labels: [String: String]
        public var annotations: [String: String]
        public var startsAt: String
        public var endsAt: String
        public var generatorURL: String
        public var fingerprint: String
    }

    public var version: String
    public var groupKey: String
    public var truncatedAlerts: Int
    public var status: String
    public var receiver: String
    public var groupLabels: [String: String]
    public var commonLabels: [String: String]
    public var commonAnnotations: [String: String]
    public var externalURL: String
    public var alerts: [Alert]

    /// Alertmanager's "zero time", its `endsAt` for an alert still firing.
    public static let zeroTime = "0001-01-01T00:00:00Z"

    /// Prometheus' severity words, so routes matching `severity="critical"`
    /// keep working: SEV1 critical, SEV2 error, SEV3 warning, SEV4 info.
    public static func severityLabel(_ severity: Severity) -> String {
        switch severity {
        case .sev1: return "critical"
        case .sev2: return "error"
        case .sev3: return "warning"
        case .sev4: return "info"
        }
    }

    /// - Parameters:
    ///   - externalURL: where a person can look at the incident (alertd has
    ///     no web UI: empty unless configured).
    ///   - maxAlerts: like Alertmanager's `max_alerts`; 0 sends them all.
    ///     The rest are counted in `truncatedAlerts`.
    ///
    /// Mapping choices:
    /// * A `resolved` page (or a resolved incident) reports every alert
    ///   resolved, so the group status matches what the receiver is told;
    ///   an alert still firing when a person resolved the incident ends at
    ///   `resolvedAt`.
    /// * Labels are the alert's own, with `alertname` = check, `instance` =
    ///   host when the alert has no `instance`, and `severity` = alertd's
    ///   classified severity (it decided the page, so it wins).
    /// * `groupKey` is the incident's grouping identity; `groupLabels` is
    ///   `alertname` when every alert shares it (a subset of
    ///   `commonLabels`, as in Alertmanager).
    public init(_ message: PageMessage, externalURL: String = "", maxAlerts: Int = 0) {
        let incident = message.incident
        let resolved = message.kind == .resolved || incident.state == .resolved
        let sorted = incident.alerts.values.sorted { ($0.firstSeen, $0.fingerprint) < ($1.firstSeen, $1.fingerprint) }
        let all = sorted.map { alert -> Alert in
            var labels = alert.labels
            labels["alertname"] = alert.check
            if labels["instance"] == nil, let host = alert.host { labels["instance"] = host }
            labels["severity"] = Self.severityLabel(alert.severity)
            var annotations: [String: String] = [:]
            if let summary = alert.summary { annotations["summary"] = summary }
            let alertResolved = resolved || alert.status == .resolved
            let endsAt: String
            if !alertResolved {
                endsAt = Self.zeroTime
            } else if alert.status == .resolved {
                endsAt = RFC3339.format(alert.lastSeen)
            } else {
                endsAt = RFC3339.format(incident.resolvedAt ?? message.queuedAt)
            }
            return Alert(
                status: alertResolved ? "resolved" : "firing", labels: labels, annotations: annotations,
                startsAt: RFC3339.format(alert.firstSeen), endsAt: endsAt, generatorURL: "",
                fingerprint: alert.fingerprint)
        }
        let kept = maxAlerts > 0 ? Array(all.prefix(maxAlerts)) : all

        version = "4"
        groupKey = incident.groupKey
        truncatedAlerts = all.count - kept.count
        status = resolved ? "resolved" : "firing"
        receiver = message.receiver
        commonLabels = Self.common(all.map(\.labels))
        commonAnnotations = Self.common(all.map(\.annotations))
        groupLabels = commonLabels["alertname"].map { ["alertname": $0] } ?? [:]
        self.externalURL = externalURL
        alerts = kept
    }

    /// The pairs every map has (Alertmanager's commonLabels/commonAnnotations).
    static func common(_ maps: [[String: String]]) -> [String: String] {
        guard var result = maps.first else { return [:] }
        for map in maps.dropFirst() {
            result = result.filter { map[$0.key] == $0.value }
        }
        return result
    }
}

/// `format: alertmanager`: the `AlertmanagerPayload` as JSON.
public struct AlertmanagerPayloadEncoder: WebhookPayloadEncoder {
    public var externalURL: String
    public var maxAlerts: Int

    public init(externalURL: String = "", maxAlerts: Int = 0) {
        self.externalURL = externalURL
        self.maxAlerts = maxAlerts
    }

    public func encode(_ message: PageMessage) throws -> Data {
        try PayloadJSON.encode(AlertmanagerPayload(message, externalURL: externalURL, maxAlerts: maxAlerts))
    }
}
