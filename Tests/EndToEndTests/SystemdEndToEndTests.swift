import Foundation
import Testing

/// alertd as a systemd service, with the test playing systemd: a
/// NOTIFY_SOCKET it owns, WATCHDOG_USEC/WATCHDOG_PID, signals.
@Suite(.serialized) struct SystemdEndToEndTests {
    @Test func readyStatusAndStoppingAroundALifetime() throws {
        let daemon = try DaemonProcess()
        let notify = try NotifySocket(directory: daemon.directory)
        try daemon.start(environment: ["NOTIFY_SOCKET": notify.path])
        let ready = try notify.waitFor("READY", value: "1")
        // Listeners were bound before READY=1: the log says so first.
        let log = daemon.output
        #expect(log.range(of: "listening on")!.lowerBound < log.range(of: "ready")!.lowerBound)
        #expect(ready.fields["STATUS"]?.hasPrefix("open: SEV1 0, SEV2 0, SEV3 0, SEV4 0") == true)

        daemon.signal(SIGTERM)
        try notify.waitFor("STOPPING", value: "1")
        #expect(try daemon.waitForExit() == 0)
    }

    @Test func statusLineFollowsOpenIncidents() throws {
        let daemon = try DaemonProcess()
        let notify = try NotifySocket(directory: daemon.directory)
        try daemon.start(environment: ["NOTIFY_SOCKET": notify.path])
        _ = try daemon.json(["send", "--check", "node_down", "--host", "n1"])
        // STATUS is refreshed every few seconds.
        try waitUntil("STATUS shows the SEV1 incident", timeout: 15) {
            notify.messages(with: "STATUS").contains { $0.fields["STATUS"]!.contains("SEV1 1,") }
        }
    }

    @Test func watchdogPingsOnlyWhileThePipelineTurns() throws {
        let daemon = try DaemonProcess()
        let notify = try NotifySocket(directory: daemon.directory)
        let interval = 0.6
        // WATCHDOG_PID must be alertd's own pid: export it from a shell that execs alertd.
        try daemon.start(
            environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": String(Int(interval * 1_000_000))],
            launcher: ["/bin/sh", "-c", #"export WATCHDOG_PID=$$; exec "$0" "$@""#])
        try waitUntil("three watchdog pings") { notify.messages(with: "WATCHDOG").count >= 3 }

        // Stall the pipeline the way a stuck disk would: another process holds
        // SQLite's write lock, and an alert makes the pipeline try to commit.
        let lock = try SQLiteWriteLock(path: daemon.directory.appendingPathComponent("state/alertd.sqlite").path)
        let offset = daemon.logOffset
        try Send.tcp(#"{"check":"stall","host":"h"}"# + "\n", port: daemon.port(of: "ingest-tcp"))
        try daemon.waitFor("withholding the watchdog ping", after: offset)
        // While stuck, no ping for well over the interval: systemd would restart it.
        try waitUntil("no watchdog ping for 1.5 intervals") {
            guard let last = notify.messages(with: "WATCHDOG").last?.at else { return false }
            return Date().timeIntervalSince(last) > interval * 1.5
        }
        let pingsWhenStuck = notify.messages(with: "WATCHDOG").count
        lock.release()
        try waitUntil("pings resume once the commit goes through") {
            notify.messages(with: "WATCHDOG").count > pingsWhenStuck
        }
        try waitUntil("the stalled alert was committed") { try daemon.incidents().count == 1 }
    }

    @Test func reloadSwapsRulesAtomicallyAndRefusesABadFile() throws {
        let daemon = try DaemonProcess()
        let notify = try NotifySocket(directory: daemon.directory)
        try daemon.start(environment: ["NOTIFY_SOCKET": notify.path])
        #expect(try sendAndSeverity(daemon, host: "a") == "SEV3")

        // A good rules.d file: SIGHUP → RELOADING=1 (with MONOTONIC_USEC) → READY=1, new rule in force.
        try daemon.writeRules("20-db.yaml", "rules:\n  - name: db\n    match: ['check = \"db_slow\"']\n    severity: SEV1\n")
        var before = notify.messages.count
        daemon.signal(SIGHUP)
        let reloading = try notify.waitFor("RELOADING", value: "1", after: before)
        #expect(UInt64(reloading.fields["MONOTONIC_USEC"] ?? "") != nil)
        try notify.waitFor("READY", value: "1", after: before + 1)
        #expect(try sendAndSeverity(daemon, host: "b") == "SEV1")

        // A bad file: refused with file and line, the old rules stay.
        try daemon.writeRules("30-bad.yaml", "rules:\n  - name: broken\n    match: ['check == \"x\"']\n    severity: SEV2\n")
        before = notify.messages.count
        let offset = daemon.logOffset
        daemon.signal(SIGHUP)
        try notify.waitFor("RELOADING", value: "1", after: before)
        try notify.waitFor("READY", value: "1", after: before + 1)
        try daemon.waitFor("reload refused", after: offset)
        #expect(daemon.output.dropFirst(offset).contains("30-bad.yaml:3"))
        #expect(try sendAndSeverity(daemon, host: "c") == "SEV1")

        // alertctl reload says the same and exits 1.
        let refused = try daemon.alertctl(["reload"])
        #expect(refused.status == 1)
        #expect(refused.err.contains("30-bad.yaml:3"))
        #expect(refused.err.contains("\"==\" is not an operator"))
        try FileManager.default.removeItem(atPath: daemon.directory.appendingPathComponent("rules.d/30-bad.yaml").path)
        #expect(try daemon.alertctl(["reload"]).status == 0)
    }

    /// Sends db_slow from `host` through alertctl (answered after commit) and
    /// returns the severity it was classified with.
    private func sendAndSeverity(_ daemon: DaemonProcess, host: String) throws -> String? {
        let sent = try #require(try daemon.json(["send", "--check", "db_slow", "--host", host]) as? [String: Any])
        return try daemon.show(try #require(sent["incident"] as? Int))["severity"] as? String
    }
}

extension DaemonProcess {
    func writeRules(_ name: String, _ body: String) throws {
        let rules = directory.appendingPathComponent("rules.d")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        try body.write(to: rules.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
}

/// Another process holding SQLite's write lock on a database (python3's
/// sqlite3, `BEGIN EXCLUSIVE`), until released.
final class SQLiteWriteLock {
    private let process = Process()
    private let input = Pipe()

    init(path: String) throws {
        let ready = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
            c.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            sys.stdin.read()
            c.execute("ROLLBACK")
            """,
            path,
        ]
        process.standardInput = input
        process.standardOutput = ready
        try process.run()
        let line = String(decoding: ready.fileHandleForReading.availableData, as: UTF8.self)
        guard line.contains("locked") else { throw E2EError("could not lock \(path): \(line)") }
    }

    func release() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}
