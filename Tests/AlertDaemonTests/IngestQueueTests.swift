import AlertCore
import Foundation
import Testing

@testable import AlertDaemon

@Suite("IngestQueue")
struct IngestQueueTests {
    @Test("with an idle time given, take returns an empty batch once it has passed with nothing queued")
    func idleCue() {
        let queue = IngestQueue(capacity: 10)
        let started = Date()
        let batch = queue.take(maxAlerts: 10, idleFrom: started.addingTimeInterval(0.05))
        #expect(batch?.isEmpty == true)
        #expect(Date().timeIntervalSince(started) >= 0.05)
    }

    @Test("queued work comes before the idle cue, and a past idle time does not hold it back")
    func workFirst() {
        let queue = IngestQueue(capacity: 10)
        #expect(queue.offer(.alerts([Alert(check: "a")], done: nil)))
        let batch = queue.take(maxAlerts: 10, idleFrom: Date().addingTimeInterval(-1))
        #expect(batch?.count == 1)
        #expect(batch?.first?.isAlerts == true)
    }

    @Test("work that arrives while waiting for the idle time is taken at once")
    func wokenByWork() {
        let queue = IngestQueue(capacity: 10)
        // From a dispatch queue, not a task: this thread blocks in `take`.
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) {
            _ = queue.offer(.alerts([Alert(check: "late")], done: nil))
        }
        let started = Date()
        let batch = queue.take(maxAlerts: 10, idleFrom: started.addingTimeInterval(30))
        #expect(batch?.count == 1, "woken by the offer, long before the idle time")
        #expect(Date().timeIntervalSince(started) < 29)
    }
}
