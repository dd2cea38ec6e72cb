import Foundation
import Synchronization
import Testing

/// The real `alertd` binary started in a temp directory with a temp config,
/// its stderr captured so tests can wait for log lines (each wait with a
/// deadline), plus `alertctl` against its control socket.
final class DaemonProcess: @unchecked Sendable {
    let directory: URL
    let configPath: String
    var controlSocket: String { directory.appendingPathComponent("control.sock").path }
    var unixSocket: String { directory.appendingPathComponent("alertd.sock").path }
    private(set) var process: Process?
    private let log = Mutex<String>("")

    /// Writes `alertd.yaml` (plus any `rules.d` files) into a fresh temp dir.
    init(config: String = DaemonProcess.defaultConfig, rulesD: [String: String] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertd-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configPath = directory.appendingPathComponent("alertd.yaml").path
        let text = config.replacingOccurrences(of: "$DIR", with: directory.path)
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        if !rulesD.isEmpty {
            let rules = directory.appendingPathComponent("rules.d")
            try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
            for (name, body) in rulesD { try body.write(to: rules.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        }
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    static let defaultConfig = """
        listen:
          - { name: ingest-udp, udp: "127.0.0.1:0" }
          - { name: ingest-tcp, tcp: "127.0.0.1:0" }
          - { name: ingest-unix, unix: "$DIR/alertd.sock", mode: "0660" }
        storage: { sqlite: "$DIR/state/alertd.sqlite" }
        control: { socket: "$DIR/control.sock" }
        rules:
          - name: node-down
            match: ['check = "node_down"']
            severity: SEV1
            group_by: [host]
          - name: disks
            match: ['summary =~ "(?i).*disk.*(full|9[5-9]%).*"']
            severity: SEV2
            set_labels: { team: storage }
          - name: ignore-dev
            match: ['env = "dev"']
            action: drop
        """

    static var binDirectory: URL {
        // The test bundle sits beside the built products.
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("alertd").path) }
            ?? candidates[1]
    }

    /// Starts alertd and waits (with a deadline) until it logs `ready`.
    /// - Parameters:
    ///   - environment: added to the test's own environment.
    ///   - launcher: a command line to run instead of alertd directly; the
    ///     alertd path and arguments are appended (e.g. `sh -c` wrappers).
    func start(
        arguments: [String]? = nil, environment: [String: String] = [:], launcher: [String]? = nil,
        waitForReady: Bool = true
    ) throws {
        let process = Process()
        let alertd = Self.binDirectory.appendingPathComponent("alertd").path
        let alertdArguments = arguments ?? ["--config", configPath]
        if let launcher {
            process.executableURL = URL(fileURLWithPath: launcher[0])
            process.arguments = Array(launcher.dropFirst()) + [alertd] + alertdArguments
        } else {
            process.executableURL = URL(fileURLWithPath: alertd)
            process.arguments = alertdArguments
        }
        var env = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "JOURNAL_STREAM"] {
            env.removeValue(forKey: key)
        }
        env.merge(environment) { $1 }
        process.environment = env
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let offset = log.withLock { $0.count }
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard !data.isEmpty else { handle.readabilityHandler = nil; return }
            self?.log.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
        self.process = process
        if waitForReady { try waitFor("ready", after: offset) }
    }

    /// Characters of log so far: pass to `waitFor(_:after:)` to look only at what comes next.
    var logOffset: Int { log.withLock { $0.count } }

    var output: String { log.withLock { $0 } }

    /// Waits until the log (after `offset` characters) contains `text`.
    func waitFor(_ text: String, after offset: Int = 0, timeout: Double = 20) throws {
        try waitUntil("alertd logs \"\(text)\"", timeout: timeout) {
            if let process = self.process, !process.isRunning {
                throw E2EError("alertd exited with \(process.terminationStatus) before logging \"\(text)\":\n\(self.output)")
            }
            let log = self.output
            return log.count > offset && log.dropFirst(offset).contains(text)
        }
    }

    /// The port a listener bound, read from its `listening` log line.
    func port(of listener: String) throws -> UInt16 {
        for line in output.split(separator: "\n").reversed() where line.contains("listening") && line.contains("listener=\(listener)") {
            // "… alertd: listening on 127.0.0.1:43567 listener=ingest-tcp"
            if let range = line.range(of: #"listening on \S+:\d+"#, options: .regularExpression),
                let port = line[range].split(separator: ":").last.flatMap({ UInt16($0) })
            {
                return port
            }
        }
        throw E2EError("no listening line for \(listener) in:\n\(output)")
    }

    func signal(_ signal: Int32) { if let process { kill(process.processIdentifier, signal) } }

    /// CPU seconds (user + system) alertd has used so far, from /proc.
    func cpuSeconds() throws -> Double {
        guard let process else { throw E2EError("alertd is not running") }
        let stat = try String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)
        let fields = stat[stat.range(of: ")", options: .backwards)!.upperBound...].split(separator: " ")
        return (Double(fields[11])! + Double(fields[12])!) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Waits for exit (with a deadline) and returns the status.
    func waitForExit(timeout: Double = 20) throws -> Int32 {
        guard let process else { throw E2EError("not started") }
        try waitUntil("alertd exits", timeout: timeout) { !process.isRunning }
        return process.terminationStatus
    }

    /// Runs alertctl against this daemon; returns (status, stdout, stderr).
    @discardableResult
    func alertctl(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        try Self.run("alertctl", ["--socket", controlSocket] + arguments)
    }

    /// `alertctl --json …`, parsed.
    func json(_ arguments: [String]) throws -> Any {
        let result = try alertctl(["--json"] + arguments)
        guard result.status == 0 else { throw E2EError("alertctl \(arguments) failed (\(result.status)): \(result.err)") }
        return try JSONSerialization.jsonObject(with: Data(result.out.utf8))
    }

    func incidents(state: String = "all") throws -> [[String: Any]] {
        try json(["incidents", "--state", state]) as? [[String: Any]] ?? []
    }

    func show(_ id: Int) throws -> [String: Any] { try json(["show", String(id)]) as? [String: Any] ?? [:] }

    /// Runs one of the package's executables to completion.
    static func run(_ name: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let result = try Spawn.run(binDirectory.appendingPathComponent(name).path, arguments)
        return (result.status, result.out, result.err)
    }
}

struct E2EError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
func waitUntil(_ what: String, timeout: Double = 10, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return }
        if Date() > deadline { throw E2EError("timed out after \(timeout)s waiting until \(what)") }
        usleep(20_000)
    }
}
