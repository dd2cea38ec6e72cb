import Foundation
import GRDB

/// Copies the write-ahead log into the database file on its own thread and
/// connection, so that the writer only appends to the log.
///
/// SQLite's own checkpoint runs on the writer, inside the commit that
/// takes the log past `wal_autocheckpoint` pages: under a flood of new
/// incidents that was every batch, and the copy (a `pwrite` of each page,
/// then an `fsync` of the database file) sat on the one thread that sets
/// the pace while the other core had time to spare. Here the writer nudges
/// after each commit and a passive checkpoint follows, at most one per
/// `interval`; it never waits for the writer nor the writer for it.
///
/// The writer keeps a checkpoint of its own as a backstop
/// (`SQLiteIncidentStore.writerCheckpointPages`): the log restarts from its
/// beginning only when a write begins with all of it copied, which a
/// steady flood may never give this thread, and the writer's checkpoint
/// then has little left to copy.
///
/// Durability does not change: a commit is on disk once the log is
/// synced; the checkpoint syncs the database file before the log may be
/// reused.
final class WALCheckpointer: @unchecked Sendable {
    private let connection: DatabaseQueue
    private let interval: TimeInterval
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var nudged = false
    private var stopped = false
    private var running = false

    init(path: String, interval: TimeInterval = 0.02) throws {
        var configuration = Configuration()
        configuration.label = "alertd-checkpoint"
        // Opening reads the schema: should another connection to the file
        // be closing just then (the last one checkpoints and removes the
        // log, holding the file alone), wait for it as the store's do,
        // rather than fail (seen once in `CheckpointTests`: "database is
        // locked" on opening right after a store went away).
        configuration.busyMode = .timeout(10)
        // A checkpoint copies pages through a buffer of its own; this
        // connection's page cache would only hold memory.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = 16") }
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.interval = interval
    }

    func start() {
        condition.withLock { running = true }
        let thread = Thread { [self] in
            Thread.current.name = "alertd-ckpt"
            run()
        }
        thread.start()
    }

    /// After a commit: a checkpoint follows soon.
    func nudge() {
        condition.lock()
        if !nudged {
            nudged = true
            condition.signal()
        }
        condition.unlock()
    }

    /// Ends the thread, after the checkpoint under way if any.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while !nudged && !stopped { condition.wait() }
            let stop = stopped
            nudged = false
            condition.unlock()
            if stop { break }
            // A failure (the file gone, a disk error) leaves the work to the
            // writer's own checkpoint; nothing is lost by skipping one.
            try? connection.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
            // Commits in the meantime are taken by the next pass.
            let until = Date().addingTimeInterval(interval)
            condition.lock()
            while !stopped, Date() < until { _ = condition.wait(until: until) }
            condition.unlock()
        }
        condition.withLock {
            running = false
            condition.broadcast()
        }
    }
}
