import Foundation

/// What a page is about (SPEC §5 message templates).
public enum PageKind: String, Sendable, Codable, CaseIterable {
    /// `Incident declared: SEV1 — …`: the first step of a new, reopened or raised incident.
    case declared
    /// A later escalation step: nobody acknowledged in time.
    case escalation
    /// A status update from `alertctl update` (status / impact / next steps).
    case statusUpdate = "status_update"
    /// No status update was sent for `update_every`.
    case updateReminder = "update_reminder"
    case resolved
}

/// A status update (`alertctl update`).
public struct StatusUpdate: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable { case investigating, mitigating, monitoring }
    public var status: Status
    public var impact: String
    public var next: String
    public var by: String

    public init(status: Status, impact: String, next: String, by: String) {
        self.status = status
        self.impact = impact
        self.next = next
        self.by = by
    }
}

/// Everything a notifier needs to send one page on one channel. Built by
/// the dispatcher from the outbox row and the incident as it is now.
public struct PageMessage: Sendable {
    /// Stable for the page on this channel across retries and restarts:
    /// receivers use it (`Idempotency-Key`) to drop duplicates.
    public var idempotencyKey: String
    public var kind: PageKind
    public var receiver: String
    /// Escalation step (0-based) for declared/escalation pages.
    public var step: Int
    public var incident: Incident
    /// The incident's timeline so far (for email bodies).
    public var timeline: [TimelineEntry]
    public var statusUpdate: StatusUpdate?
    /// `[SEV1] #42 node-7: disk full`
    public var subject: String
    /// Plain-text body following the incident templates.
    public var text: String
    /// When the page was queued.
    public var queuedAt: Date

    public init(
        idempotencyKey: String, kind: PageKind, receiver: String, step: Int, incident: Incident,
        timeline: [TimelineEntry], statusUpdate: StatusUpdate?, subject: String, text: String, queuedAt: Date
    ) {
        self.idempotencyKey = idempotencyKey
        self.kind = kind
        self.receiver = receiver
        self.step = step
        self.incident = incident
        self.timeline = timeline
        self.statusUpdate = statusUpdate
        self.subject = subject
        self.text = text
        self.queuedAt = queuedAt
    }
}

/// How one delivery attempt went. Alertmanager's rule: 2xx sent, 5xx and
/// 429 and timeouts retry, other 4xx are permanent.
public enum DeliveryResult: Sendable, Equatable {
    case sent
    /// `after`: the receiver asked for this delay (`Retry-After`).
    case retry(reason: String, after: TimeInterval?)
    case permanent(reason: String)
}
