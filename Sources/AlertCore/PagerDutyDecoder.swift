import Foundation

/// PagerDuty Events API v2 (`shared/specs/pagerduty-events-v2.openapi.json`,
/// `POST /v2/enqueue`), as monitoring tools send it:
///
///     {"routing_key":"e93facc04764012d7bfb002500d5d1a6","event_action":"trigger",
///      "dedup_key":"srv01/mysql",
///      "payload":{"summary":"DISK at 99% on prod-datapipe03","source":"prod-datapipe03",
///                 "severity":"critical","component":"mysql","group":"prod-datapipe",
///                 "class":"disk","custom_details":{"free space":"1%"}}}
///
/// Mapping (SPEC §2): `dedup_key` → dedup_key (generated for a trigger
/// without one), `payload.summary` → summary, `payload.source` → host,
/// `payload.class` (else `component`, else summary) → check,
/// `payload.severity` → severity, `component`/`group`/`class`/
/// `custom_details` (flattened) and `routing_key` → labels.
public enum PagerDutyDecoder {
    public enum Action: String, Sendable { case trigger, acknowledge, resolve }

    public struct Event: Sendable {
        public var action: Action
        public var dedupKey: String
        /// The alert to ingest (trigger and resolve).
        public var alert: Alert?
    }

    /// Every problem with an event, as PagerDuty lists them in `errors`.
    public struct Problems: Error, Sendable {
        public var errors: [String]
    }

    public static func decode(_ body: some Collection<UInt8>, listener: String, newKey: () -> String) -> Result<Event, Problems> {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(body)), let event = parsed as? [String: Any] else {
            return .failure(Problems(errors: ["Event object is not a JSON object"]))
        }
        var errors: [String] = []
        let routingKey = event["routing_key"] as? String
        if routingKey?.isEmpty ?? true { errors.append("'routing_key' is missing or blank") }
        let action = (event["event_action"] as? String).flatMap(Action.init(rawValue:))
        if action == nil { errors.append("'event_action' must be one of trigger, acknowledge, resolve") }
        var dedupKey = event["dedup_key"] as? String
        if event["dedup_key"] != nil, !(event["dedup_key"] is NSNull), dedupKey == nil { errors.append("'dedup_key' must be a string") }
        if action == .acknowledge || action == .resolve, dedupKey?.isEmpty ?? true {
            errors.append("'dedup_key' is required to \(action!.rawValue)")
        }
        var alert: Alert?
        if action == .trigger {
            switch payloadAlert(event["payload"], listener: listener) {
            case .success(let decoded): alert = decoded
            case .failure(let problems): errors += problems.errors
            }
        }
        guard errors.isEmpty, let action else { return .failure(Problems(errors: errors)) }
        if dedupKey?.isEmpty ?? true { dedupKey = newKey() }
        let key = dedupKey!
        if action == .resolve {
            alert = Alert(check: "pagerduty", source: "pagerduty", status: .resolved, listener: listener, format: "pagerduty")
        }
        alert?.dedupKey = key
        alert?.labels["routing_key"] = routingKey
        return .success(Event(action: action, dedupKey: key, alert: alert))
    }

    private static func payloadAlert(_ value: Any?, listener: String) -> Result<Alert, Problems> {
        guard let payload = value as? [String: Any] else { return .failure(Problems(errors: ["'payload' is required to trigger"])) }
        var errors: [String] = []
        let summary = payload["summary"] as? String
        if summary?.isEmpty ?? true { errors.append("'payload.summary' is missing or blank") }
        if let summary, summary.count > 1024 { errors.append("'payload.summary' is longer than 1024 characters") }
        let source = payload["source"] as? String
        if source?.isEmpty ?? true { errors.append("'payload.source' is missing or blank") }
        let severityText = payload["severity"] as? String
        let severity: Severity?
        switch severityText {
        case "critical": severity = .sev1
        case "error": severity = .sev2
        case "warning": severity = .sev3
        case "info": severity = .sev4
        default:
            severity = nil
            errors.append("'payload.severity' must be one of critical, error, warning, info")
        }
        var timestamp: Date?
        if let value = payload["timestamp"], !(value is NSNull) {
            timestamp = (value as? String).flatMap(parseTimestamp)
            if timestamp == nil { errors.append("'payload.timestamp' must be an ISO 8601 date-time") }
        }
        guard errors.isEmpty, let summary, let source else { return .failure(Problems(errors: errors)) }
        var labels: [String: String] = [:]
        for key in ["component", "group", "class"] { labels[key] = payload[key] as? String }
        if let details = payload["custom_details"] as? [String: Any] { flatten(details, prefix: "", into: &labels) }
        let check = labels["class"] ?? labels["component"] ?? summary
        return .success(
            Alert(
                check: check, summary: summary, host: source, source: "pagerduty", severity: severity, labels: labels,
                timestamp: timestamp, listener: listener, format: "pagerduty"))
    }

    /// `custom_details` as labels: nested keys joined with `.`, values as text.
    private static func flatten(_ object: [String: Any], prefix: String, into labels: inout [String: String]) {
        for (key, value) in object {
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            switch value {
            case let text as String: labels[name] = text
            case let nested as [String: Any]: flatten(nested, prefix: name, into: &labels)
            case is NSNull: continue
            default:
                if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
                    labels[name] = String(decoding: data, as: UTF8.self)
                }
            }
        }
    }

    /// RFC 3339, and the `+0000` offset form the API's own example uses.
    static func parseTimestamp(_ text: String) -> Date? {
        if let date = RFC3339.parse(text) { return date }
        guard text.count > 5 else { return nil }
        let offset = text.suffix(5)
        guard let sign = offset.first, sign == "+" || sign == "-", offset.dropFirst().allSatisfy(\.isNumber) else { return nil }
        return RFC3339.parse(text.dropLast(5) + String(offset.prefix(3)) + ":" + String(offset.suffix(2)))
    }
}
