import AlertCore
import AlertStore
import Foundation
import GRDB
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
    @Test("the pipeline thread and its committer are named and run at nice 5", arguments: ["alertd-pipeline", "alertd-commit"])
    func pipelineThreadsYieldToListeners(thread name: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertd-pipeline-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pipeline = try Self.pipeline(in: directory, paging: PagingPolicy())
        pipeline.start()
        let deadline = Date().addingTimeInterval(10)
        var nices: [Int] = []
        while nices.isEmpty && Date() < deadline {
            nices = Self.niceOfThreads(named: name)
            if nices.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(!nices.isEmpty, "no thread named \(name) within 10 s")
        #expect(nices.allSatisfy { $0 == 5 }, "nice values \(nices)")
        await pipeline.drainAndStop()
    }

    /// A commit that fails tells its senders so, and memory must not run
    /// ahead of disk: the same alert sent again opens its incident afresh
    /// (an engine that kept the failed batch would call it a repeat of an
    /// incident the store never got). The failure is SQLite's own: a
    /// trigger, added through a second connection, aborts the insert.
    @Test("after a failed commit the pipeline starts again from what the store holds")
    func failedCommitReloadsFromTheStore() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertd-pipeline-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pipeline = try Self.pipeline(in: directory, paging: PagingPolicy())
        pipeline.start()
        let other = try await Self.refusingPoison(in: directory)
        let poison = Alert(check: "poison", host: "node-1")
        await #expect(throws: (any Error).self) { _ = try await pipeline.ingestDurably([poison]) }
        try await other.write { db in try db.execute(sql: "DROP TRIGGER refuse_poison") }

        let fates = try await pipeline.ingestDurably([poison])
        #expect(fates.map(\.decision) == [.opened])
        let id = try #require(fates.first?.incidentID)
        let stored = try #require(try await other.read { db in
            try Int64.fetchOne(db, sql: Self.occurrences + " WHERE id = ?", arguments: [id])
        })
        #expect(stored == 1)
        await pipeline.drainAndStop()
    }

    /// The same when the commit that fails is a flood's, committed while
    /// the next batch was worked out on top of it: that batch is dropped
    /// too (nobody was told it was stored), and the engine reloads. Had it
    /// kept them, the alerts of the dropped batch, sent again, would count
    /// repeats on incidents the store never got.
    @Test("after a failed pipelined commit the pipeline starts again from what the store holds")
    func failedPipelinedCommitReloadsFromTheStore() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertd-pipeline-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pipeline = try Self.pipeline(in: directory, paging: PagingPolicy(), maxBatch: 10, floodBatch: 10)
        let other = try await Self.refusingPoison(in: directory)
        let alerts = (0..<100).map { Alert(check: $0 == 35 ? "poison" : "check_\($0)") }
        for start in stride(from: 0, to: 100, by: 10) { await pipeline.submit(Array(alerts[start..<start + 10])) }
        pipeline.start()
        _ = try? await pipeline.ingestDurably([])  // after the flood's batches
        try await other.write { db in try db.execute(sql: "DROP TRIGGER refuse_poison") }

        let fates = try await pipeline.ingestDurably(alerts)
        #expect(fates.filter { $0.decision == .opened }.count >= 10, "the failed batch's alerts open their incidents")
        let stored = try await other.read { db in
            try Int64.fetchAll(db, sql: Self.occurrences + " ORDER BY id")
        }
        #expect(stored.count == 100)
        #expect(stored.allSatisfy { $0 == 1 || $0 == 2 }, "occurrences: \(stored)")
        await pipeline.drainAndStop()
    }

    /// A flood's batches are worked out while the one before commits, and the engine
    /// lets go of incidents beyond its resident limit, to read them back
    /// from the store when an alert needs them. Neither may lose a change,
    /// not even when an incident changed in the batch being committed is
    /// needed by the next: twenty alerts a batch, each alert in two batches
    /// in a row, ten incidents resident; every one of 300 incidents has all
    /// four of its alerts counted.
    @Test("pipelined commits and incidents let go of lose no repeat")
    func pipelinedCommitsLoseNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertd-pipeline-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pipeline = try Self.pipeline(
            in: directory, paging: PagingPolicy(), maxBatch: 20, residentIncidents: 10, floodBatch: 20)
        pipeline.start()
        let alerts = (0..<300).map { Alert(check: "check_\($0)", host: "node-\($0 % 7)") }
        for batch in 0..<60 {  // alerts 0–19, 10–29, …, 290–9, and round again
            await pipeline.submit((batch * 10..<batch * 10 + 20).map { alerts[$0 % 300] })
        }
        _ = try await pipeline.ingestDurably([])  // answered once everything before it is committed
        await pipeline.drainAndStop()
        let occurrences = try await DatabaseQueue(path: directory.appendingPathComponent("alertd.sqlite").path).read { db in
            try Int64.fetchAll(db, sql: Self.occurrences + " ORDER BY id")
        }
        #expect(occurrences.count == 300)
        #expect(occurrences.allSatisfy { $0 == 4 }, "occurrences other than 4: \(occurrences.filter { $0 != 4 })")
    }

    /// Each incident's occurrences as the store's readers take them: its
    /// counts kept apart (`incident_counts`, v8) when it has any.
    static let occurrences = """
        SELECT COALESCE(counted_occurrences, occurrences) FROM incidents LEFT JOIN incident_counts ON counted_id = id
        """

    /// A pipeline on a new store in `directory`, with no rules.
    static func pipeline(
        in directory: URL, paging: PagingPolicy, maxBatch: Int = 10_000, residentIncidents: Int = 20_000,
        floodBatch: Int = 1_000
    ) throws -> Pipeline {
        let store = try SQLiteIncidentStore(path: directory.appendingPathComponent("alertd.sqlite").path)
        return try Pipeline(
            store: store, classifier: Classifier(rules: []), settings: IncidentSettings(), paging: paging,
            clock: SystemWallClock(), metrics: AlertdMetrics(), logger: Logger(label: "alertd.test"),
            maxBatch: maxBatch, residentIncidents: residentIncidents, floodBatch: floodBatch)
    }

    /// A second connection to the store in `directory`, through which a
    /// trigger makes SQLite refuse to insert an incident titled `poison`
    /// (until the test drops `refuse_poison`).
    static func refusingPoison(in directory: URL) async throws -> DatabaseQueue {
        let other = try DatabaseQueue(path: directory.appendingPathComponent("alertd.sqlite").path)
        try await other.write { db in
            try db.execute(sql: """
                CREATE TRIGGER refuse_poison BEFORE INSERT ON incidents WHEN NEW.title LIKE '%poison%'
                BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                """)
        }
        return other
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
