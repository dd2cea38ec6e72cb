import Foundation

/// One escalation step: `after` this long without acknowledgement (counted
/// from when the incident reached its current severity), page `notify`.
public struct EscalationStep: Sendable, Equatable {
    public var after: TimeInterval
    /// Receiver names.
    public var notify: [String]

    public init(after: TimeInterval = 0, notify: [String]) {
        self.after = after
        self.notify = notify
    }
}

/// How one severity is paged (SPEC §5 `policies.SEVn`).
public struct Policy: Sendable, Equatable {
    /// The response-time target: acknowledgement expected within this.
    public var ackWithin: TimeInterval
    public var steps: [EscalationStep]
    /// Remind the first step's receivers when no status update was sent for this long.
    public var updateEvery: TimeInterval?
    /// A post-incident review is due this long after resolution.
    public var postmortemWithin: TimeInterval?
    /// Hold pages until business hours start (never drop them).
    public var businessHoursOnly: Bool

    public init(
        ackWithin: TimeInterval, steps: [EscalationStep], updateEvery: TimeInterval? = nil,
        postmortemWithin: TimeInterval? = nil, businessHoursOnly: Bool = false
    ) {
        self.ackWithin = ackWithin
        self.steps = steps
        self.updateEvery = updateEvery
        self.postmortemWithin = postmortemWithin
        self.businessHoursOnly = businessHoursOnly
    }

    /// The policy alertd applies to a severity the configuration gives none
    /// for: SEV1 pages at once and escalates after 15 minutes, SEV2 after 30,
    /// SEV3 within a business day, SEV4 opens a ticket.
    public static func embeddedDefault(for severity: Severity) -> Policy {
        switch severity {
        case .sev1:
            return Policy(
                ackWithin: 15 * 60, steps: [EscalationStep(notify: ["oncall"]), EscalationStep(after: 15 * 60, notify: ["eng-manager"])],
                updateEvery: 30 * 60, postmortemWithin: 48 * 3600)
        case .sev2:
            return Policy(
                ackWithin: 30 * 60, steps: [EscalationStep(notify: ["oncall"]), EscalationStep(after: 30 * 60, notify: ["eng-manager"])],
                postmortemWithin: 48 * 3600)
        case .sev3:
            return Policy(ackWithin: 24 * 3600, steps: [EscalationStep(notify: ["oncall"])], businessHoursOnly: true)
        case .sev4:
            return Policy(ackWithin: 48 * 3600, steps: [EscalationStep(notify: ["ticket"])], businessHoursOnly: true)
        }
    }

    /// Receiver names the embedded default policies page; when the
    /// configuration does not define them they are `log` receivers.
    public static let embeddedReceiverNames = ["oncall", "eng-manager", "ticket"]
}

/// Business hours (SPEC §5 `business_hours:`), in their own time zone.
public struct BusinessHours: Sendable, Equatable {
    public enum Weekday: Int, Sendable, CaseIterable, Comparable {
        case sun = 1, mon, tue, wed, thu, fri, sat  // Calendar's numbering
        public static func < (a: Weekday, b: Weekday) -> Bool { a.rawValue < b.rawValue }
    }

    public var timeZone: TimeZone
    public var days: Set<Weekday>
    /// Minutes after local midnight; `end` > `start`.
    public var start: Int
    public var end: Int

    public init(timeZone: TimeZone, days: Set<Weekday>, start: Int, end: Int) {
        self.timeZone = timeZone
        self.days = days
        self.start = start
        self.end = end
    }

    /// Monday to Friday, 09:00–17:00 UTC: used when the configuration has no `business_hours:`.
    public static let `default` = BusinessHours(
        timeZone: TimeZone(identifier: "UTC")!, days: [.mon, .tue, .wed, .thu, .fri], start: 9 * 60, end: 17 * 60)
}
