import AlertIO
import Foundation
import Testing

/// alertd logging natively to a real systemd-journald (SPEC §8): incident
/// fields, PRIORITY from severity, MESSAGE_ID per event, and untrusted text
/// that stays inside MESSAGE. Needs root (journald runs standalone here).
@Suite(
    .serialized,
    .enabled(if: StandaloneJournald.canRun, "needs root and /lib/systemd/systemd-journald"))
struct JournalEndToEndTests {
    static let config = """
        listen:
          - { name: ingest-tcp, tcp: "127.0.0.1:0" }
        storage: { sqlite: "$DIR/state/alertd.sqlite" }
        control: { socket: "$DIR/control.sock" }
        log: { target: journal }
        """

    @Test func incidentEventsAreStructuredJournalEntries() throws {
        let journald = try StandaloneJournald()
        defer { journald.stop() }
        let daemon = try DaemonProcess(config: Self.config)
        try daemon.start(waitForReady: false)
        let pid = try #require(daemon.process?.processIdentifier)
        // Logging goes to the journal, not stderr: wait for "ready" there.
        try waitUntil("alertd logs \"ready\" to the journal", timeout: 20) {
            if let process = daemon.process, !process.isRunning {
                throw E2EError("alertd exited with \(process.terminationStatus):\n\(daemon.output)")
            }
            return try !Self.journal(["_PID=\(pid)", "MESSAGE=ready"]).isEmpty
        }

        // A summary trying to forge a field on a line of its own.
        let sent = try daemon.alertctl([
            "send", "--check", "node_down", "--host", "n1", "--severity", "SEV1", "--summary", "disk\nINCIDENT_ID=999",
        ])
        #expect(sent.status == 0, "alertctl send: \(sent.err)")
        var entries: [[String: [String]]] = []
        try waitUntil("the journal has INCIDENT_ID=1 from alertd", timeout: 20) {
            entries = try Self.journal(["_PID=\(pid)", "INCIDENT_ID=1", "MESSAGE_ID=\(AlertdEvent.incidentOpened.rawValue)"])
            return !entries.isEmpty
        }
        #expect(entries.count == 1, "one event (opened) for incident 1: \(entries)")
        let opened = try #require(entries.first)
        #expect(opened["INCIDENT_ID"] == ["1"])
        #expect(opened["SEVERITY"] == ["SEV1"])
        #expect(opened["PRIORITY"] == ["2"], "SEV1 is crit")
        #expect(opened["MESSAGE_ID"] == [AlertdEvent.incidentOpened.rawValue])
        #expect(opened["FINGERPRINT"]?.first?.isEmpty == false)
        #expect(opened["SYSLOG_IDENTIFIER"] == ["alertd"])
        #expect(opened["_TRANSPORT"] == ["journal"], "sent natively, not through stderr")
        // The forged text is part of MESSAGE, newline and all: the entry was not split.
        let message = try #require(opened["MESSAGE"]?.first)
        #expect(message.contains("disk\nINCIDENT_ID=999"), "MESSAGE: \(message)")
        #expect(try Self.journal(["_PID=\(pid)", "INCIDENT_ID=999"]).isEmpty)
        let everything = try Self.journal(["_PID=\(pid)"])
        #expect(!everything.contains { $0["INCIDENT_ID"]?.contains("999") == true })
        #expect(!everything.contains { $0["MESSAGE"]?.contains { $0.hasPrefix("INCIDENT_ID=") } == true })

        // A reload is an event of its own kind, at notice.
        #expect(try daemon.alertctl(["reload"]).status == 0)
        var reloads: [[String: [String]]] = []
        try waitUntil("the journal has the reload event", timeout: 20) {
            reloads = try Self.journal(["_PID=\(pid)", "MESSAGE_ID=\(AlertdEvent.configReloaded.rawValue)"])
            return !reloads.isEmpty
        }
        #expect(reloads.first?["PRIORITY"] == ["5"])

        daemon.signal(SIGTERM)
        #expect(try daemon.waitForExit() == 0)
    }

    /// `journalctl -o json MATCH…`, one entry per line; each field's values
    /// as text (journalctl writes a field that repeats as an array, and a
    /// value it does not consider printable as an array of bytes).
    static func journal(_ matches: [String]) throws -> [[String: [String]]] {
        let result = try Spawn.run(try HostTool.path("journalctl"), ["--no-pager", "-o", "json"] + matches)
        guard result.status == 0 || result.out.isEmpty else {
            throw E2EError("journalctl \(matches): \(result.status) \(result.err)")
        }
        return try result.out.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw E2EError("journalctl wrote a non-object: \(line)")
            }
            return object.mapValues(Self.texts)
        }
    }

    static func texts(_ value: Any) -> [String] {
        if let text = value as? String { return [text] }
        guard let array = value as? [Any] else { return [] }
        if !array.isEmpty, array.allSatisfy({ $0 is NSNumber }) {
            return [String(decoding: array.compactMap { ($0 as? NSNumber)?.uint8Value }, as: UTF8.self)]
        }
        return array.flatMap(texts)
    }
}

/// systemd-journald started on its own (PID 1 is not systemd here), with a
/// volatile store and no rate limit; reused when one already listens.
/// `stop()` ends it by pid and removes what it created.
final class StandaloneJournald: @unchecked Sendable {
    static let executable = "/lib/systemd/systemd-journald"
    static let socketPath = "/run/systemd/journal/socket"
    static let dropInDirectory = "/run/systemd/journald.conf.d"

    static var canRun: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: executable) && HostTool.exists("journalctl")
    }

    private var process: Process?
    /// Paths that did not exist before, removed (recursively) by `stop()`, last first.
    private var created: [String] = []
    private let errors: TemporaryDirectory
    private var lock: CInt = -1

    init() throws {
        errors = try TemporaryDirectory("alertd-journald")
        // journald is machine-wide: two test runs at once must not stop (and
        // clean up) the one the other is using. The lock is advisory on a file
        // that is always there, so nothing is left behind.
        lock = open(Self.executable, O_RDONLY | O_CLOEXEC)
        try waitUntil("no other test run uses the standalone journald", timeout: 60) {
            lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) == 0
        }
        if Self.isListening() { return }
        let manager = FileManager.default
        for path in ["/run/systemd", Self.dropInDirectory, "/run/systemd/journal", "/run/log", "/run/log/journal"]
        where !manager.fileExists(atPath: path) {
            created.append(path)
        }
        try manager.createDirectory(atPath: Self.dropInDirectory, withIntermediateDirectories: true)
        let dropIn = Self.dropInDirectory + "/zz-alertd-tests.conf"
        try "[Journal]\nStorage=volatile\nRateLimitBurst=0\nReadKMsg=no\n".write(toFile: dropIn, atomically: true, encoding: .utf8)
        created.append(dropIn)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let log = errors.url.appendingPathComponent("stderr")
        _ = manager.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        self.process = process
        try waitUntil("systemd-journald listens on \(Self.socketPath)", timeout: 10) {
            if !process.isRunning {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw E2EError("systemd-journald exited with \(process.terminationStatus): \(text)")
            }
            return Self.isListening()
        }
    }

    deinit { stop() }

    /// SIGTERM, then SIGKILL; polls rather than `waitUntilExit()`, which can hang here.
    func stop() {
        if let process {
            for signal in [SIGTERM, SIGKILL] where process.isRunning {
                kill(process.processIdentifier, signal)
                try? waitUntil("systemd-journald exits", timeout: 10) { !process.isRunning }
            }
            self.process = nil
        }
        for path in created.reversed() { try? FileManager.default.removeItem(atPath: path) }
        created = []
        if lock >= 0 {
            close(lock)
            lock = -1
        }
    }

    /// Whether a journald takes datagrams on its native socket (a stale
    /// socket file from a killed run refuses the connection).
    static func isListening() -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in socketPath.utf8.enumerated() where i < raw.count - 1 { raw[i] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }
}
