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
        let pipeline = try Self.pipeline(
            in: directory,
            paging: PagingPolicy(
                policies: [.sev1: Policy(ackWithin: 900, steps: [EscalationStep(notify: ["oncall"])])],
                channelCounts: ["oncall": 1]))
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

    /// Under a flood of datagrams the listeners must run first: a socket
    /// cannot push back, the queue can. What an operator sees with
    /// `ps -eLo comm,ni`: the pipeline thread at nice 5.
    @Test("the pipeline thread is named and runs at nice 5")
    func pipelineThreadYieldsToListeners() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertd-pipeline-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pipeline = try Self.pipeline(in: directory, paging: PagingPolicy())
        pipeline.start()
        let deadline = Date().addingTimeInterval(10)
        var nices: [Int] = []
        while nices.isEmpty && Date() < deadline {
            nices = Self.niceOfThreads(named: "alertd-pipeline")
            if nices.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(!nices.isEmpty, "no thread named alertd-pipeline within 10 s")
        #expect(nices.allSatisfy { $0 == 5 }, "nice values \(nices)")
        await pipeline.drainAndStop()
    }

    /// A pipeline on a new store in `directory`, with no rules.
    static func pipeline(in directory: URL, paging: PagingPolicy) throws -> Pipeline {
        let store = try SQLiteIncidentStore(path: directory.appendingPathComponent("alertd.sqlite").path)
        return try Pipeline(
            store: store, classifier: Classifier(rules: []), settings: IncidentSettings(), paging: paging,
            clock: SystemWallClock(), metrics: AlertdMetrics(), logger: Logger(label: "alertd.test"))
    }

    /// The nice value (field 19 of `/proc/self/task/TID/stat`) of each of
    /// this process's threads with that name.
    static func niceOfThreads(named name: String) -> [Int] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { tid in
            guard let comm = try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8),
                comm.trimmingCharacters(in: .whitespacesAndNewlines) == name,
                let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After "pid (comm)": state is field 3, so field 19 is the 17th.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 16 ? Int(fields[16]) : nil
        }
    }
}
