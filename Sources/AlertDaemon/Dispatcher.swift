import AlertCore
import AlertIO
import AlertStore
import Foundation
import Logging
import Synchronization

/// One configured channel of a receiver, ready to send.
struct Channel: Sendable {
    let kind: String
    let notifier: any Notifier
}

/// Sends what the outbox holds (SPEC §5). It reads due pages from the store,
/// delivers each in a task of its own — at most `maxInFlight` at once, so a
/// slow or dead receiver holds one slot per page and never the others, and
/// never the pipeline — then records the result through the pipeline, which
/// commits it with its timeline entry. A page in flight when alertd dies is
/// still `pending` in the store and is sent again after the restart
/// (at least once; receivers see the same `Idempotency-Key`).
final class Dispatcher: Sendable {
    private let store: any IncidentStore
    private let pipeline: Pipeline
    private let clock: any WallClock
    private let logger: Logger
    private let maxInFlight: Int
    private let channels: Mutex<[String: [Channel]]>
    private let flight = Mutex(Flight())
    private let wakeUp = Mutex<(pending: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))
    /// Checked for due retries and business-hours holds at least this often.
    static let pollInterval: Duration = .seconds(1)

    init(
        store: any IncidentStore, pipeline: Pipeline, channels: [String: [Channel]], clock: any WallClock, logger: Logger,
        maxInFlight: Int = 64
    ) {
        self.store = store
        self.pipeline = pipeline
        self.channels = Mutex(channels)
        self.clock = clock
        self.logger = logger
        self.maxInFlight = maxInFlight
    }

    /// New receivers after a reload; pages in flight finish on the old ones.
    func replaceChannels(_ channels: [String: [Channel]]) { self.channels.withLock { $0 = channels } }

    /// Pages were queued: look now rather than at the next poll.
    func wake() {
        let waiter = wakeUp.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    func run() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                for page in claimDuePages() {
                    group.addTask {
                        await self.deliver(page)
                        self.flight.withLock { $0.finish(page.id) }
                        self.wake()  // a slot is free
                    }
                }
                await sleepUntilWoken()
            }
        }
    }

    /// Due pages not already in flight, up to the free slots.
    private func claimDuePages() -> [OutboxPage] {
        let (free, busy, readStarted) = flight.withLock { ($0.free(maxInFlight), $0.inFlight.count, $0.generation) }
        guard free > 0 else { return [] }
        let due: [OutboxPage]
        do {
            due = try store.duePages(now: clock.now(), limit: free + busy)
        } catch {
            logger.error("cannot read the outbox: \(error)")
            return []
        }
        return flight.withLock { $0.claim(due, readStartedAt: readStarted, limit: free) }
    }

    private func deliver(_ page: OutboxPage) async {
        let channel = channels.withLock { $0[page.receiver].flatMap { page.channel < $0.count ? $0[page.channel] : nil } }
        let message = message(for: page)
        if let message, message.incident.state == .resolved, [.declared, .escalation, .updateReminder].contains(page.kind) {
            try? await pipeline.perform { engine, now in
                engine.cancelPage(page, reason: "incident #\(page.incidentID) resolved before it went out", now: now)
            }
            return
        }
        let result: DeliveryResult
        if let channel, let message {
            result = await channel.notifier.deliver(message)
        } else {
            result = .permanent(reason: "receiver \(page.receiver) channel \(page.channel + 1) is no longer configured")
        }
        let kind = channel?.kind ?? "none"
        do {
            try await pipeline.perform { engine, now in
                engine.recordDelivery(page, via: kind, result: result, now: now, random: Double.random(in: 0..<1))
            }
        } catch {
            logger.error("cannot record delivery of page \(page.id): \(error)")
        }
    }

    private func message(for page: OutboxPage) -> PageMessage? {
        do {
            guard let incident = try store.incident(page.incidentID) else { return nil }
            let timeline = try store.timeline(of: page.incidentID)
            let now = clock.now()
            return PageMessage(
                idempotencyKey: page.idempotencyKey, kind: page.kind, receiver: page.receiver, step: page.step,
                incident: incident, timeline: timeline, statusUpdate: page.statusUpdate,
                subject: PageText.subject(incident, kind: page.kind),
                text: PageText.body(incident, kind: page.kind, step: page.step, statusUpdate: page.statusUpdate, timeline: timeline, now: now),
                queuedAt: page.createdAt)
        } catch {
            logger.error("cannot read incident #\(page.incidentID) for page \(page.id): \(error)")
            return nil
        }
    }

    private func sleepUntilWoken() async {
        let timer = Task {
            // Only a poll interval that really passed wakes the loop: a timer
            // cancelled because something else woke it must not, or every
            // wake would set off the next one and the loop would spin.
            guard (try? await Task.sleep(for: Self.pollInterval)) != nil else { return }
            self.wake()
        }
        defer { timer.cancel() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = wakeUp.withLock { state -> Bool in
                if state.pending {
                    state.pending = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}

/// Which pages are being delivered. A delivery's result is committed before
/// it finishes here, but a store read that began earlier may still show the
/// page as pending: pages that finished after a read began are not claimed
/// from that read, or they would be sent twice.
private struct Flight {
    var inFlight: Set<Int64> = []
    /// Page id → the generation its delivery finished in.
    var finished: [Int64: UInt64] = [:]
    var generation: UInt64 = 0

    func free(_ limit: Int) -> Int { limit - inFlight.count }

    mutating func finish(_ id: Int64) {
        inFlight.remove(id)
        generation += 1
        finished[id] = generation
    }

    mutating func claim(_ due: [OutboxPage], readStartedAt started: UInt64, limit: Int) -> [OutboxPage] {
        // Deliveries that finished before this read began are reflected in it.
        finished = finished.filter { $0.value > started }
        var claimed: [OutboxPage] = []
        for page in due where claimed.count < limit && !inFlight.contains(page.id) && finished[page.id] == nil {
            inFlight.insert(page.id)
            claimed.append(page)
        }
        return claimed
    }
}
