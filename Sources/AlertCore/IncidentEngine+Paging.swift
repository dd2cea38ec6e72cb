import Foundation

/// What starting or advancing an escalation did.
enum PagingOutcome: Equatable {
    case none
    case paged([String])
    case held(until: Date, [String])
}

/// Escalation and the outbox (SPEC §5), as part of the same pure state
/// machine: pages are outbox rows in the engine's `ChangeSet`, committed in
/// the transaction of the change that caused them. `tick(now:)` is the
/// reconcile cycle that fires due steps, records response-target breaches
/// and status-update reminders.
extension IncidentEngine {
    /// (Re)starts the escalation of incident `id` for its current severity;
    /// with `declare`, the first due steps fire at once.
    @discardableResult
    mutating func startEscalation(_ id: Int64, now: Date, declare: Bool) -> PagingOutcome {
        guard var incident = incidents[id], incident.state.isActive else { return .none }
        var state = EscalationState(level: incident.severity, startedAt: now, nextStep: declare ? 0 : 1)
        if let previous = incident.escalation {
            state.notified = previous.notified
            state.lastUpdateAt = previous.lastUpdateAt
        }
        incident.escalation = state
        incidents[id] = incident
        dirtyIncidents.insert(id)
        return advanceEscalation(id, now: now)
    }

    /// Fires every step that is due and records a response-target breach.
    /// Only an `open` incident escalates: acknowledging stops it.
    @discardableResult
    mutating func advanceEscalation(_ id: Int64, now: Date) -> PagingOutcome {
        guard var incident = incidents[id], incident.state == .open, var state = incident.escalation else { return .none }
        let policy = paging.policy(for: state.level)
        var outcome = PagingOutcome.none
        while state.nextStep < policy.steps.count, now >= state.startedAt.addingTimeInterval(policy.steps[state.nextStep].after) {
            let step = policy.steps[state.nextStep]
            let kind: PageKind = state.nextStep == 0 ? .declared : .escalation
            if kind == .escalation {
                record(
                    id, now, .escalated,
                    "not acknowledged within \(Duration.seconds(step.after).spoken): step \(state.nextStep + 1), paging \(step.notify.joined(separator: ", "))")
            }
            let reached = paging.reachable(step.notify)
            let hold = queuePages(id, to: reached, kind: kind, step: state.nextStep, level: state.level, now: now)
            if state.notified.isEmpty {
                state.notified = reached  // shares the policy's list: no copy per open incident
            } else {
                for receiver in reached where !state.notified.contains(receiver) { state.notified.append(receiver) }
            }
            if !reached.isEmpty { outcome = hold.map { .held(until: $0, reached) } ?? .paged(reached) }
            state.nextStep += 1
        }
        if !state.breached, now >= state.startedAt.addingTimeInterval(policy.ackWithin) {
            state.breached = true
            record(id, now, .responseTargetBreached, "\(state.level) not acknowledged within ack_within \(Duration.seconds(policy.ackWithin).spoken)")
        }
        if incident.escalation != state {
            incident.escalation = state
            incidents[id] = incident
            dirtyIncidents.insert(id)
        }
        return outcome
    }

    /// The reconcile cycle: alerts whose `endsAt` passed, due escalation
    /// steps, breaches and status-update reminders. Only incidents whose
    /// next due time (`attention`) has come are visited.
    public mutating func tick(now: Date) {
        expireAlerts(now: now)
        for id in dirtyIncidents { reschedule(id) }  // changed since the last takeChanges
        var due: [Int64] = []
        while let id = attention.popDue(now) { due.append(id) }
        for id in due {
            // One that cannot be read back now is tried again next cycle.
            guard holds(id) else {
                attention.set(id, at: now.addingTimeInterval(1))
                continue
            }
            advanceEscalation(id, now: now)
            remindOfStatusUpdate(id, now: now)
            reschedule(id)
        }
    }

    /// Puts incident `id` in `attention` at the next time its escalation
    /// needs the cycle, or takes it out.
    mutating func reschedule(_ id: Int64) {
        // Not `flatMap(nextAttention)`: a method reference captures a copy
        // of the whole engine, retaining each of its fields, on every call.
        let next = incidents[id].flatMap { nextAttention($0) }
        attention.set(id, at: next)
    }

    /// The earliest of: the next escalation step and the ack_within breach
    /// (while open), the next status-update reminder (while active).
    func nextAttention(_ incident: borrowing Incident) -> Date? {
        Self.nextAttention(state: incident.state, escalation: incident.escalation, paging: paging)
    }

    static func nextAttention(state incidentState: IncidentState, escalation: EscalationState?, paging: PagingPolicy) -> Date? {
        guard incidentState.isActive, let state = escalation else { return nil }
        let policy = paging.policy(for: state.level)
        var next: Date?
        func consider(_ time: Date) { next = min(next ?? time, time) }
        if incidentState == .open {
            if state.nextStep < policy.steps.count {
                consider(state.startedAt.addingTimeInterval(policy.steps[state.nextStep].after))
            }
            if !state.breached { consider(state.startedAt.addingTimeInterval(policy.ackWithin)) }
        }
        if let every = policy.updateEvery {
            consider(max(state.lastUpdateAt ?? state.startedAt, state.lastReminderAt ?? .distantPast).addingTimeInterval(every))
        }
        return next
    }

    private mutating func remindOfStatusUpdate(_ id: Int64, now: Date) {
        guard var incident = incidents[id], var state = incident.escalation,
            let every = paging.policy(for: state.level).updateEvery
        else { return }
        let since = max(state.lastUpdateAt ?? state.startedAt, state.lastReminderAt ?? .distantPast)
        guard now >= since.addingTimeInterval(every) else { return }
        state.lastReminderAt = now
        incident.escalation = state
        incidents[id] = incident
        dirtyIncidents.insert(id)
        let receivers = state.notified.isEmpty ? paging.policy(for: state.level).steps.first?.notify ?? [] : state.notified
        queuePages(id, to: receivers, kind: .updateReminder, step: 0, level: state.level, now: now)
    }

    /// On resolution: the resolved message to everyone paged, and the
    /// post-incident review due date for policies that ask for one.
    mutating func finishEscalation(_ id: Int64, now: Date) {
        guard var incident = incidents[id] else { return }
        let notified = incident.escalation?.notified ?? []
        let policy = paging.policy(for: incident.severity)
        incident.escalation = nil
        if let within = policy.postmortemWithin {
            let due = now.addingTimeInterval(within)
            incident.postmortemDueAt = due
            record(id, now, .postmortemDue, "post-incident review due by \(RFC3339.format(due))")
        }
        incidents[id] = incident
        dirtyIncidents.insert(id)
        if !notified.isEmpty {
            // Resolutions are never held for business hours: people paged want to know.
            queuePages(id, to: notified, kind: .resolved, step: 0, level: nil, now: now)
        }
    }

    /// Queues one outbox row per channel of each receiver. Returns the time
    /// pages are held until, when the policy keeps them for business hours.
    @discardableResult
    mutating func queuePages(
        _ id: Int64, to receivers: [String], kind: PageKind, step: Int, level: Severity?, now: Date,
        statusUpdate: StatusUpdate? = nil
    ) -> Date? {
        var notBefore = now
        var heldText = ""
        if let level, paging.policy(for: level).businessHoursOnly {
            if heldUntil?.now != now {
                let opening = paging.businessHours.nextOpening(after: now)
                heldUntil = (now, opening, RFC3339.format(opening))
            }
            if let heldUntil, heldUntil.opening > now { (notBefore, heldText) = (heldUntil.opening, heldUntil.text) }
        }
        // A receiver without channels has nothing to send: no rows, no entry.
        for receiver in receivers where (paging.channelCounts[receiver] ?? 0) > 0 {
            let channels = paging.channelCounts[receiver]!
            for channel in 0..<channels {
                pendingPages.append(
                    OutboxPage(
                        id: allocatePageID(), incidentID: id, receiver: receiver, channel: channel, kind: kind, step: step,
                        statusUpdate: statusUpdate, createdAt: now, notBefore: notBefore, nextAttemptAt: notBefore))
            }
            let held = notBefore > now ? ", held until \(heldText) (business hours only)" : ""
            record(id, now, .pageQueued, "\(kind.rawValue) page for \(receiver)\(held)")
        }
        return notBefore > now ? notBefore : nil
    }

    // MARK: Admin commands that page

    /// `alertctl update`: on the timeline, and to everyone paged so far.
    public mutating func postStatusUpdate(_ id: Int64, _ update: StatusUpdate, now: Date) throws(IncidentCommandError) {
        guard var incident = resident(id) else { throw .notFound(id) }
        guard incident.state.isActive else { throw .refused("incident #\(id) is resolved") }
        record(id, now, .statusUpdate, "\(update.status.rawValue) — impact: \(update.impact) — next: \(update.next) (\(update.by))")
        // "monitoring" means a fix is in place and being watched: the incident is mitigated.
        if update.status == .monitoring, incident.state != .mitigated {
            incident.state = .mitigated
            incident.mitigatedAt = now
            record(id, now, .mitigated, "mitigated, monitoring (\(update.by))")
        }
        var state = incident.escalation ?? EscalationState(level: incident.severity, startedAt: incident.openedAt, nextStep: 1)
        state.lastUpdateAt = now
        incident.escalation = state
        incidents[id] = incident
        dirtyIncidents.insert(id)
        let receivers = state.notified.isEmpty ? paging.policy(for: incident.severity).steps.first?.notify ?? [] : state.notified
        queuePages(id, to: receivers, kind: .statusUpdate, step: 0, level: nil, now: now, statusUpdate: update)
    }

    /// `alertctl assign`: incident roles (`ic`, `ops`, `comms`).
    public mutating func assignRoles(_ id: Int64, _ roles: [String: String], by who: String, now: Date) throws(IncidentCommandError) {
        guard var incident = resident(id) else { throw .notFound(id) }
        guard !roles.isEmpty else { throw .refused("assign needs --ic, --ops or --comms") }
        for (role, name) in roles.sorted(by: { $0.key < $1.key }) {
            incident.roles[role] = name
            record(id, now, .roleAssigned, "\(role): \(name) (by \(who))")
        }
        incidents[id] = incident
        dirtyIncidents.insert(id)
    }

    // MARK: Delivery results

    /// Records how one delivery attempt of `page` went: sent, retry at a
    /// backoff time, or given up (then the receiver's fallback gets it).
    /// `random` in 0..<1 draws the retry jitter.
    public mutating func recordDelivery(
        _ page: OutboxPage, via channelKind: String, result: DeliveryResult, now: Date, random: Double
    ) {
        var page = page
        page.attempts += 1
        let firstAttempt = page.firstAttemptAt ?? now
        page.firstAttemptAt = firstAttempt
        let channel = "\(page.receiver) via \(channelKind)"
        switch result {
        case .sent:
            page.state = .sent
            page.lastError = nil
            record(page.incidentID, now, .pageSent, "\(page.kind.rawValue) page sent to \(channel) (attempt \(page.attempts))")
        case .retry(let reason, let after):
            page.lastError = reason
            if let next = paging.retry(for: page.receiver).nextAttempt(
                afterFailure: page.attempts, firstAttemptAt: firstAttempt, now: now, retryAfter: after, random: random)
            {
                page.nextAttemptAt = next
                record(
                    page.incidentID, now, .pageFailed,
                    "\(channel) attempt \(page.attempts) failed: \(reason); retry at \(RFC3339.format(next))")
            } else {
                page.state = .gaveUp
                record(page.incidentID, now, .pageFailed, "\(channel) attempt \(page.attempts) failed: \(reason)")
            }
        case .permanent(let reason):
            page.state = .failed
            page.lastError = reason
            record(page.incidentID, now, .pageFailed, "\(channel) attempt \(page.attempts) failed for good: \(reason)")
        }
        // The row first, then any fallback pages it causes.
        pendingPages.append(page)
        if page.state == .gaveUp || page.state == .failed {
            giveUp(page, channel: channel, now: now, why: page.state == .failed ? "permanent failure" : "no success within give_up_after")
        }
    }

    /// Drops a page that no longer makes sense to send (its incident resolved
    /// first); the timeline says so.
    public mutating func cancelPage(_ page: OutboxPage, reason: String, now: Date) {
        var page = page
        page.state = .cancelled
        page.lastError = reason
        pendingPages.append(page)
        record(page.incidentID, now, .pageGaveUp, "\(page.kind.rawValue) page for \(page.receiver) not sent: \(reason)")
    }

    private mutating func giveUp(_ page: OutboxPage, channel: String, now: Date, why: String) {
        let fallback = paging.fallbacks[page.receiver]
        record(page.incidentID, now, .pageGaveUp, "gave up on \(channel) (\(why))" + (fallback.map { "; paging fallback \($0)" } ?? ""))
        if let fallback {
            queuePages(page.incidentID, to: [fallback], kind: page.kind, step: page.step, level: nil, now: now, statusUpdate: page.statusUpdate)
        }
    }
}

extension Duration {
    /// `15m`, `1h30m`, `45s`: how durations are written in alertd's config.
    var spoken: String {
        var seconds = Int(components.seconds)
        var text = ""
        for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60)] where seconds >= size {
            text += "\(seconds / size)\(unit)"
            seconds %= size
        }
        if seconds > 0 || text.isEmpty { text += "\(seconds)s" }
        return text
    }
}
