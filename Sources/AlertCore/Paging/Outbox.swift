import Foundation

/// One page for one receiver channel: a row of the durable outbox, written in
/// the same transaction as the incident change that caused it (SPEC §5).
/// Delivery is at-least-once per channel; once `sent`, never again.
public struct OutboxPage: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        case pending, sent
        /// Retries ran out (`give_up_after`); the receiver's fallback got the page.
        case gaveUp = "gave_up"
        /// The receiver refused it for good (e.g. HTTP 404); fallback as for gave_up.
        case failed
        /// Not sent: the incident resolved before a declared, escalation or
        /// reminder page went out (e.g. one held for business hours).
        case cancelled
    }

    public var id: Int64
    public var incidentID: Int64
    public var receiver: String
    /// Index of the channel in the receiver's `channels`.
    public var channel: Int
    public var kind: PageKind
    public var step: Int
    public var statusUpdate: StatusUpdate?
    public var createdAt: Date
    /// Held until then (business hours); equal to `createdAt` otherwise.
    public var notBefore: Date
    public var firstAttemptAt: Date?
    public var nextAttemptAt: Date
    public var attempts: Int
    public var state: State
    public var lastError: String?

    public init(
        id: Int64, incidentID: Int64, receiver: String, channel: Int, kind: PageKind, step: Int,
        statusUpdate: StatusUpdate? = nil, createdAt: Date, notBefore: Date, firstAttemptAt: Date? = nil,
        nextAttemptAt: Date, attempts: Int = 0, state: State = .pending, lastError: String? = nil
    ) {
        self.id = id
        self.incidentID = incidentID
        self.receiver = receiver
        self.channel = channel
        self.kind = kind
        self.step = step
        self.statusUpdate = statusUpdate
        self.createdAt = createdAt
        self.notBefore = notBefore
        self.firstAttemptAt = firstAttemptAt
        self.nextAttemptAt = nextAttemptAt
        self.attempts = attempts
        self.state = state
        self.lastError = lastError
    }

    /// Stable across retries and restarts, so receivers can drop duplicates.
    public var idempotencyKey: String { "alertd-\(incidentID)-\(id)" }
}

/// Where an incident stands in its escalation policy (persisted with it).
public struct EscalationState: Sendable, Equatable, Codable {
    // Declared largest first, so nothing is padded (held by every open incident).
    /// When this level's escalation began (open, reopen, severity change).
    public var startedAt: Date
    /// Index of the next step to fire.
    public var nextStep: Int
    /// Receivers paged so far (resolved and status pages go to them).
    public var notified: [String]
    /// Last status update (or nil: none yet).
    public var lastUpdateAt: Date?
    public var lastReminderAt: Date?
    /// The severity whose policy runs.
    public var level: Severity
    /// The response-time target breach was recorded for this level.
    public var breached: Bool

    public init(level: Severity, startedAt: Date, nextStep: Int = 0) {
        self.level = level
        self.startedAt = startedAt
        self.nextStep = nextStep
        breached = false
        notified = []
    }
}

/// What the engine needs of the configuration to page: policies, how many
/// channels each receiver has, fallbacks, business hours, retries.
public struct PagingPolicy: Sendable, Equatable {
    public var policies: [Severity: Policy] { didSet { resolved = Self.resolve(policies) } }
    /// `policy(for:)` by severity (`rawValue - 1`): asked for every open
    /// incident at start-up and on every escalation check, without hashing.
    private var resolved: [Policy]
    public var channelCounts: [String: Int]
    public var fallbacks: [String: String]
    /// Backoff and give-up per receiver; `RetryPolicy()` for those not listed.
    public var retries: [String: RetryPolicy]
    public var businessHours: BusinessHours

    public init(
        policies: [Severity: Policy] = [:], channelCounts: [String: Int] = [:], fallbacks: [String: String] = [:],
        retries: [String: RetryPolicy] = [:], businessHours: BusinessHours = .default
    ) {
        self.policies = policies
        resolved = Self.resolve(policies)
        self.channelCounts = channelCounts
        self.fallbacks = fallbacks
        self.retries = retries
        self.businessHours = businessHours
    }

    public func retry(for receiver: String) -> RetryPolicy { retries[receiver] ?? RetryPolicy() }

    /// The configured policy, else the embedded default.
    public func policy(for severity: Severity) -> Policy { resolved[severity.rawValue - 1] }

    private static func resolve(_ policies: [Severity: Policy]) -> [Policy] {
        Severity.allCases.map { policies[$0] ?? Policy.embeddedDefault(for: $0) }
    }

    /// The receivers of `list` that have a channel: `list` itself when all
    /// do (the common case), so incidents paged by one step share its list.
    func reachable(_ list: [String]) -> [String] {
        let hasChannel = { (receiver: String) in (channelCounts[receiver] ?? 0) > 0 }
        return list.allSatisfy(hasChannel) ? list : list.filter(hasChannel)
    }
}
