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

    @Test("waiting to fill returns once enough alerts are queued, well before its deadline")
    func fills() {
        let queue = IngestQueue(capacity: 100)
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) {
            for index in 0..<3 { _ = queue.offer(.alerts((0..<2).map { Alert(check: "c\(index)-\($0)") }, done: nil)) }
        }
        let started = Date()
        queue.waitToFill(6, until: started.addingTimeInterval(30))
        #expect(Date().timeIntervalSince(started) < 29)
        #expect(queue.depth == 6)
    }

    @Test("waiting to fill gives up at its deadline, or at once when the queue closes")
    func fillDeadline() {
        let queue = IngestQueue(capacity: 100)
        #expect(queue.offer(.alerts([Alert(check: "lone")], done: nil)))
        let started = Date()
        queue.waitToFill(10, until: started.addingTimeInterval(0.05))
        #expect(Date().timeIntervalSince(started) >= 0.05)
        #expect(queue.depth == 1)

        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) { queue.close() }
        let closing = Date()
        queue.waitToFill(10, until: closing.addingTimeInterval(30))
        #expect(Date().timeIntervalSince(closing) < 29)
    }

    @Test("only work nobody waits on lets a flood's next batch wait to fill")
    func awaitsCommit() {
        #expect(!PipelineWork.alerts([Alert(check: "udp")], done: nil).awaitsCommit)
        #expect(PipelineWork.alerts([Alert(check: "http")], done: { _ in }).awaitsCommit)
        #expect(PipelineWork.command({ _, _ in }, done: { _ in }).awaitsCommit)
    }
}
