import AlertCore
import AlertStore
import Foundation
import Logging
import Synchronization
import Testing

@testable import AlertDaemon

@Suite("Pipeline")
struct PipelineTests {
    /// Every commit that queues a page calls the dispatcher's wake-up. That
    /// call once went through one more pair of reabstraction thunks per
    /// commit (a closure stored bare in a `Mutex`), so a long-lived daemon
    /// got slower with every page and would in the end overflow its stack.
    /// The call's stack depth must not grow from commit to commit.
    @Test("the pages-queued call costs the same on the 300th commit as on the first")
    func pagesQueuedCallDoesNotGrow() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertd-pipeline-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteIncidentStore(path: directory.appendingPathComponent("alertd.sqlite").path)
        let paging = PagingPolicy(
            policies: [.sev1: Policy(ackWithin: 900, steps: [EscalationStep(notify: ["oncall"])])],
            channelCounts: ["oncall": 1])
        let pipeline = try Pipeline(
            store: store, classifier: Classifier(rules: []), settings: IncidentSettings(), paging: paging,
            clock: SystemWallClock(), metrics: AlertdMetrics(), logger: Logger(label: "alertd.test"))
        let depths = Mutex<[Int]>([])
        pipeline.onPagesQueued { depths.withLock { $0.append(Thread.callStackReturnAddresses.count) } }
        pipeline.start()
        for index in 0..<300 {
            // One commit per alert: each opens a SEV1 incident, which queues a page.
            _ = try await pipeline.ingestDurably([Alert(check: "check_\(index)", severity: .sev1)])
        }
        await pipeline.drainAndStop()
        let seen = depths.withLock { $0 }
        #expect(seen.count == 300)
        #expect(seen.last == seen.first, "stack depth went from \(seen.first ?? 0) to \(seen.last ?? 0)")
    }
}
