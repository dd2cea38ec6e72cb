import AlertCore
import Foundation

// `format: pagerduty`: one PagerDuty Events API v2 event (POST
// https://events.pagerduty.com/v2/enqueue; schema in the project's
// specs/pagerduty-events-v2.openapi.json). A sample:
//
// {"routing_key":"e93f…","event_action":"trigger","dedup_key":"alertd-42","client":"alertd",
//  "payload":{"summary":"[SEV1] #42 node-7: disk full","source":"node-7","severity":"critical",
//             "timestamp":"2026-11-23T20:10:00Z","custom_details":{"incident_id":42,…}}}

/// A PagerDuty Events API v2 event for a page.
public struct PagerDutyEvent: Codable, Sendable, Equatable {
    public struct Payload: Codable, Sendable, Equatable {
        public var summary: String
        public var source: String
        public var severity: String
        public var timestamp: String
        public var customDetails: CustomDetails

        enum CodingKeys: String, CodingKey {
            case summary, source, severity, timestamp
            case customDetails = "custom_details"
        }
    }

    public struct CustomDetails: Codable, Sendable, Equatable {
        public var incidentID: Int64
        public var title: String
        public var severity: String
        public var state: String
        public var kind: String
        public var text: String
        public var alertCount: Int
        public var firingCount: Int
        public var statusUpdate: StatusUpdate?

        enum CodingKeys: String, CodingKey {
            case incidentID = "incident_id"
            case title, severity, state, kind, text
            case alertCount = "alert_count"
            case firingCount = "firing_count"
            case statusUpdate = "status_update"
        }
    }

    /// PagerDuty truncates longer summaries; we cut first, on a character boundary.
    public static let maxSummary = 1024

    public var routingKey: String
    public var eventAction: String
    public var dedupKey: String
    public var client: String
    public var payload: Payload

    enum CodingKeys: String, CodingKey {
        case routingKey = "routing_key"
        case eventAction = "event_action"
        case dedupKey = "dedup_key"
        case client, payload
    }

    /// PagerDuty's four severities from alertd's: SEV1 critical, SEV2 error,
    /// SEV3 warning, SEV4 info.
    public static func severity(_ severity: Severity) -> String {
        AlertmanagerPayload.severityLabel(severity)
    }

    /// `dedup_key` is `alertd-<incident id>`: every page of an incident
    /// (declared, escalations, updates) lands on one PagerDuty alert, and the
    /// `resolved` page (`event_action: resolve`) closes it. `source` is the
    /// host every alert shares, else `alertd`.
    public init(_ message: PageMessage, routingKey: String) {
        let incident = message.incident
        let hosts = Set(incident.alerts.values.compactMap(\.host))
        self.routingKey = routingKey
        eventAction = message.kind == .resolved ? "resolve" : "trigger"
        dedupKey = "alertd-\(incident.id)"
        client = "alertd"
        payload = Payload(
            summary: String(message.subject.prefix(Self.maxSummary)),
            source: hosts.count == 1 ? hosts.first! : "alertd",
            severity: Self.severity(incident.severity),
            timestamp: RFC3339.format(message.queuedAt),
            customDetails: CustomDetails(
                incidentID: incident.id, title: incident.title, severity: incident.severity.description,
                state: incident.state.rawValue, kind: message.kind.rawValue, text: message.text,
                alertCount: incident.alerts.count, firingCount: incident.firingCount,
                statusUpdate: message.statusUpdate))
    }
}

/// `format: pagerduty`: the `PagerDutyEvent` as JSON.
public struct PagerDutyPayloadEncoder: WebhookPayloadEncoder {
    public var routingKey: String

    public init(routingKey: String) {
        self.routingKey = routingKey
    }

    public func encode(_ message: PageMessage) throws -> Data {
        try PayloadJSON.encode(PagerDutyEvent(message, routingKey: routingKey))
    }
}
