import AlertIO
import Foundation
import Testing

/// The shipped units, journal catalog and `make install`, checked with
/// systemd's own tools (SPEC §8): `systemd-analyze verify` finds nothing,
/// `systemd-analyze security --offline=true` rates the service 1.5 or lower,
/// `journalctl --update-catalog` accepts the catalog and it explains every
/// `AlertdEvent`.
@Suite struct SystemdUnitTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let systemdDirectory = packageRoot.appendingPathComponent("systemd")
    static let units = ["alertd.service", "alertd.socket", "alertd-udp.socket", "alertd-unix.socket"]
    static let maxExposure = 1.5

    // MARK: systemd-analyze

    @Test(arguments: units)
    func verifyFindsNothing(unit: String) async throws {
        let staged = try StagedUnits()
        let result = try await HostTool.run("systemd-analyze", ["verify", staged.path(unit)])
        #expect(result.status == 0)
        // verify only warns (exit 0) on unknown keys, bad values and missing binaries.
        #expect((result.err + result.out).trimmingCharacters(in: .whitespacesAndNewlines) == "", "systemd-analyze verify \(unit):\n\(result.err)\(result.out)")
    }

    @Test func securityExposureIsAtMostOnePointFive() async throws {
        let staged = try StagedUnits()
        let result = try await HostTool.run("systemd-analyze", ["security", "--offline=true", "--no-pager", staged.path("alertd.service")])
        #expect(result.status == 0, "\(result.err)")
        let exposure = try #require(
            Self.overallExposure(result.out), "no overall exposure in systemd-analyze security output:\n\(result.out)\(result.err)")
        print("systemd-analyze security --offline=true alertd.service: overall exposure \(exposure)")
        let failed = result.out.split(separator: "\n").filter { $0.hasPrefix("✗") }.map { String($0.prefix(62)).trimmingCharacters(in: .whitespaces) }
        #expect(exposure <= Self.maxExposure, "exposure \(exposure) > \(Self.maxExposure); not hardened: \(failed)")
    }

    /// "→ Overall exposure level for alertd.service: 1.1 OK 🙂"
    static func overallExposure(_ output: String) -> Double? {
        guard let line = output.split(separator: "\n").last(where: { $0.contains("Overall exposure level") }),
            let colon = line.lastIndex(of: ":")
        else { return nil }
        return line[line.index(after: colon)...].split(separator: " ").first.flatMap { Double($0) }
    }

    /// What SPEC §8 and the socket-activation design require of the service.
    @Test func serviceSettings() async throws {
        let service = try UnitFile(Self.systemdDirectory.appendingPathComponent("alertd.service"))
        let required: [(String, String)] = [
            ("Type", "notify"), ("NotifyAccess", "main"),
            // No --config: /etc/alertd/alertd.yaml when present, else the embedded default.
            ("ExecStart", "/usr/local/bin/alertd"),
            ("ExecReload", "/bin/kill -HUP $MAINPID"),
            ("WatchdogSec", "30s"), ("Restart", "on-failure"), ("RestartPreventExitStatus", "78"),
            ("DynamicUser", "yes"), ("StateDirectory", "alertd"), ("RuntimeDirectory", "alertd"),
            ("RuntimeDirectoryPreserve", "yes"), ("ConfigurationDirectory", "alertd"),
            ("NoNewPrivileges", "yes"), ("CapabilityBoundingSet", ""), ("ProtectSystem", "strict"),
            ("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"), ("MemoryDenyWriteExecute", "yes"),
        ]
        for (key, value) in required {
            #expect(service.values("Service", key) == [value], "[Service] \(key)=\(value)")
        }
        #expect(service.values("Service", "TimeoutStopSec").count == 1)
        let filters = service.values("Service", "SystemCallFilter")
        #expect(filters.first == "@system-service")
        // libdispatch's worker threads call setpriority(2) (in @resources): denying
        // it would kill alertd with SIGSYS at start-up.
        #expect(!filters.contains { $0.hasPrefix("~") && $0.contains("@resources") }, "\(filters)")
        for socket in Self.units.dropFirst() {
            #expect(service.values("Unit", "Wants").joined(separator: " ").split(separator: " ").contains(Substring(socket)))
        }
    }

    /// One socket per unit, since every socket of a unit gets the unit's
    /// FileDescriptorName=, named like the embedded default's listeners.
    @Test(arguments: [
        ("alertd.socket", "ListenStream", "127.0.0.1:5140", "ingest-tcp"),
        ("alertd-udp.socket", "ListenDatagram", "127.0.0.1:5140", "ingest-udp"),
        ("alertd-unix.socket", "ListenStream", "/run/alertd/alertd.sock", "ingest-unix"),
    ])
    func socketUnit(unit: String, listenKey: String, address: String, name: String) throws {
        let socket = try UnitFile(Self.systemdDirectory.appendingPathComponent(unit))
        let listens = socket.entries.filter { $0.section == "Socket" && $0.key.hasPrefix("Listen") }
        #expect(listens.map(\.key) == [listenKey])
        #expect(listens.map(\.value) == [address])
        #expect(socket.values("Socket", "FileDescriptorName") == [name])
        #expect(socket.values("Socket", "Service") == ["alertd.service"])
        if unit == "alertd-unix.socket" { #expect(socket.values("Socket", "SocketMode") == ["0660"]) }
    }

    // MARK: the journal catalog

    @Test func catalogExplainsEveryEvent() async throws {
        let root = try TemporaryDirectory("alertd-catalog")
        let catalogs = root.url.appendingPathComponent("usr/lib/systemd/catalog")
        try FileManager.default.createDirectory(at: catalogs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Self.systemdDirectory.appendingPathComponent("alertd.catalog"),
            to: catalogs.appendingPathComponent("alertd.catalog"))

        let update = try await HostTool.run("journalctl", ["--root=\(root.url.path)", "--update-catalog"])
        #expect(update.status == 0 && update.err.isEmpty, "journalctl --update-catalog: \(update.err)")
        let list = try await HostTool.run("journalctl", ["--root=\(root.url.path)", "--list-catalog"])
        #expect(list.status == 0 && list.err.isEmpty, "journalctl --list-catalog: \(list.err)")
        // "a3f1…c51 alertd: alertd opened incident #@INCIDENT_ID@ (@SEVERITY@)"
        let listed = Set(list.out.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })

        let events = Set(AlertdEvent.allCases.map(\.rawValue))
        #expect(events.count == AlertdEvent.allCases.count, "MESSAGE_IDs must be distinct")
        #expect(listed == events, "catalog ids missing: \(events.subtracting(listed)); unknown: \(listed.subtracting(events))")
        for event in AlertdEvent.allCases {
            // journald ids are 128-bit, written as 32 lower-case hex digits.
            #expect(event.rawValue.count == 32 && event.rawValue.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(event)")
            let dump = try await HostTool.run("journalctl", ["--root=\(root.url.path)", "--dump-catalog", event.rawValue])
            #expect(dump.status == 0, "\(event): \(dump.err)")
            let (headers, body) = Self.catalogEntry(dump.out)
            #expect(headers["Subject"]?.isEmpty == false, "\(event) has no Subject")
            #expect(headers["Defined-By"] == "alertd", "\(event)")
            #expect(headers["Support"]?.isEmpty == false, "\(event) has no Support")
            #expect(body.count > 80, "\(event) needs a paragraph explaining it and what to do")
        }
    }

    /// One `--dump-catalog` entry: "-- id", "Key: value" lines, a blank line, the text.
    static func catalogEntry(_ text: String) -> (headers: [String: String], body: String) {
        var headers: [String: String] = [:]
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        if lines.first?.hasPrefix("-- ") == true { lines = lines.dropFirst() }
        while let line = lines.first, !line.isEmpty {
            if let colon = line.firstIndex(of: ":") {
                headers[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            lines = lines.dropFirst()
        }
        return (headers, lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    // MARK: make install

    /// A real `make install` into a DESTDIR, with the already-built debug
    /// products (PRODUCTS_DIR) so no release build runs here.
    @Test func makeInstallAndUninstall() async throws {
        let dest = try TemporaryDirectory("alertd-destdir")
        let config = dest.url.appendingPathComponent("etc/alertd/alertd.yaml")
        try FileManager.default.createDirectory(at: config.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "# the operator's own\n".write(to: config, atomically: true, encoding: .utf8)
        let variables = ["DESTDIR=\(dest.url.path)", "PRODUCTS_DIR=\(DaemonProcess.binDirectory.path)", "PREFIX=/opt/alertd"]

        let install = try await HostTool.run("make", ["-C", Self.packageRoot.path, "--no-print-directory", "install"] + variables)
        #expect(install.status == 0, "make install: \(install.err)\(install.out)")
        func installed(_ path: String) -> Bool { FileManager.default.fileExists(atPath: dest.url.path + path) }
        let files = [
            "/opt/alertd/bin/alertd", "/opt/alertd/bin/alertctl", "/usr/lib/systemd/catalog/alertd.catalog",
            "/opt/alertd/share/doc/alertd/README.md", "/etc/alertd/rules.d/10-example.yaml",
        ] + Self.units.map { "/lib/systemd/system/\($0)" }
        for file in files { #expect(installed(file), "\(file) not installed") }
        #expect(FileManager.default.isExecutableFile(atPath: dest.url.path + "/opt/alertd/bin/alertd"))
        // An existing configuration is never overwritten.
        #expect(try String(contentsOf: config, encoding: .utf8) == "# the operator's own\n")
        #expect(install.out.contains("kept existing"))
        // The units point at where the programs went.
        let service = try UnitFile(dest.url.appendingPathComponent("lib/systemd/system/alertd.service"))
        #expect(service.values("Service", "ExecStart") == ["/opt/alertd/bin/alertd"])

        let uninstall = try await HostTool.run("make", ["-C", Self.packageRoot.path, "--no-print-directory", "uninstall"] + variables)
        #expect(uninstall.status == 0, "make uninstall: \(uninstall.err)")
        for file in files where !file.hasPrefix("/etc/") { #expect(!installed(file), "\(file) left behind") }
        #expect(installed("/etc/alertd/alertd.yaml") && installed("/etc/alertd/rules.d/10-example.yaml"))
    }

    /// Without PRODUCTS_DIR, install builds release first (dry run only).
    @Test func makeInstallBuildsReleaseByDefault() async throws {
        let result = try await HostTool.run("make", ["-C", Self.packageRoot.path, "--no-print-directory", "-n", "install", "DESTDIR=/nonexistent"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("build -c release --product alertd"))
        #expect(result.out.contains("build -c release --product alertctl"))
        #expect(result.out.contains("/nonexistent/usr/local/bin"))
        #expect(result.out.contains("/nonexistent/lib/systemd/system"))
        #expect(result.out.contains("/nonexistent/usr/lib/systemd/catalog/alertd.catalog"))
    }

    // MARK: the system-call filter, against what alertd really calls

    /// Runs alertd under strace as an unprivileged user (as DynamicUser= does)
    /// through start-up, an alert, a reload and a stop, and checks that every
    /// system call it made is allowed by the unit's SystemCallFilter=.
    @Test(.enabled(if: getuid() == 0 && HostTool.exists("strace") && HostTool.exists("setpriv"), "needs root, strace and setpriv"))
    func everySystemCallAlertdMakesPassesTheFilter() async throws {
        let daemon = try DaemonProcess(config: """
            listen:
              - { name: ingest-tcp, tcp: "127.0.0.1:0" }
              - { name: ingest-udp, udp: "127.0.0.1:0" }
              - { name: ingest-unix, unix: "$DIR/alertd.sock" }
            storage: { sqlite: "$DIR/state/alertd.sqlite" }
            control: { socket: "$DIR/control.sock" }
            """)
        let nobody: uid_t = 65534
        for path in [daemon.directory.path, daemon.configPath] { chown(path, nobody, gid_t(nobody)) }
        let trace = daemon.directory.appendingPathComponent("strace.out").path
        let alertd = DaemonProcess.binDirectory.appendingPathComponent("alertd").path
        // strace is our child; alertd is the process setpriv exec'd.
        let lines = { (try? String(contentsOfFile: trace, encoding: .utf8))?.split(separator: "\n") ?? [] }
        func alertdExec() -> (line: Int, pid: pid_t)? {
            let all = lines()
            guard let line = all.firstIndex(where: { $0.contains("execve(\"\(alertd)\"") && $0.hasSuffix("= 0") }),
                let pid = all[line].split(separator: " ").first.flatMap({ pid_t($0) })
            else { return nil }
            return (line, pid)
        }
        // Killing strace (DaemonProcess does on failure) leaves its tracee
        // running: end alertd too, if that pid is still this test's alertd.
        defer {
            if let pid = alertdExec()?.pid,
                let command = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
                command.contains(daemon.configPath)
            {
                kill(pid, SIGKILL)
            }
        }
        try daemon.start(launcher: [
            try HostTool.path("strace"), "-f", "-qq", "-o", trace,
            try HostTool.path("setpriv"), "--reuid=\(nobody)", "--regid=\(nobody)", "--clear-groups", "--",
        ])
        let (execLine, pid) = try #require(alertdExec(), "no execve of alertd in \(trace)")
        _ = try daemon.json(["send", "--check", "node_down", "--host", "n1", "--summary", "down"])
        #expect(try daemon.alertctl(["reload"]).status == 0)
        let offset = daemon.logOffset
        kill(pid, SIGHUP)  // not daemon.signal: that is strace
        try daemon.waitFor("reloaded", after: offset)
        kill(pid, SIGTERM)
        #expect(try daemon.waitForExit() == 0)

        let used = Set(lines().dropFirst(execLine + 1).compactMap(Self.syscallName))
        let allowed = try await Self.allowedSystemCalls()
        #expect(used.count > 20, "strace saw only \(used.sorted())")
        #expect(used.subtracting(allowed).isEmpty, "alertd calls what alertd.service forbids: \(used.subtracting(allowed).sorted())")
    }

    /// "1234  openat(AT_FDCWD, …" or "1234  <... futex resumed>…" → the call's name.
    static func syscallName(_ line: Substring) -> String? {
        guard let space = line.firstIndex(of: " ") else { return nil }
        var rest = line[line.index(after: space)...].drop { $0 == " " }
        if rest.hasPrefix("<... ") { rest = rest.dropFirst(5) }
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        guard !name.isEmpty, let next = rest.dropFirst(name.count).first, next == "(" || next == " " else { return nil }
        return String(name)
    }

    /// The service's SystemCallFilter= lines (allow-list mode: the first is an
    /// allow-list, `~` lines remove) expanded with systemd-analyze's groups.
    static func allowedSystemCalls() async throws -> Set<String> {
        let service = try UnitFile(systemdDirectory.appendingPathComponent("alertd.service"))
        let dump = try await HostTool.run("systemd-analyze", ["syscall-filter", "--no-pager"])
        var groups: [String: [String]] = [:]
        var current: String?
        for line in dump.out.split(separator: "\n", omittingEmptySubsequences: false) {
            let item = line.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("@") { current = item; groups[item] = [] }
            else if item.isEmpty || item.hasPrefix("#") { if item.isEmpty { current = nil } }
            else if let group = current { groups[group, default: []].append(item) }
        }
        func expand(_ item: String, _ seen: inout Set<String>) -> Set<String> {
            guard item.hasPrefix("@") else { return [item] }
            guard seen.insert(item).inserted else { return [] }
            return (groups[item] ?? []).reduce(into: Set<String>()) { $0.formUnion(expand($1, &seen)) }
        }
        var allowed: Set<String> = []
        var seen: Set<String> = []
        allowed.formUnion(expand("@default", &seen))  // always allowed in allow-list mode
        for filter in service.values("Service", "SystemCallFilter") {
            let deny = filter.hasPrefix("~")
            for item in filter.dropFirst(deny ? 1 : 0).split(separator: " ") {
                var seen: Set<String> = []
                let calls = expand(String(item), &seen)
                if deny { allowed.subtract(calls) } else { allowed.formUnion(calls) }
            }
        }
        return allowed
    }
}

/// The shipped units copied into a temp dir, each `ExecStart=` pointing at
/// the built alertd (verify wants the binary to exist).
struct StagedUnits {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory("alertd-units")
        let alertd = DaemonProcess.binDirectory.appendingPathComponent("alertd").path
        for unit in SystemdUnitTests.units {
            let text = try String(contentsOf: SystemdUnitTests.systemdDirectory.appendingPathComponent(unit), encoding: .utf8)
            let staged = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                guard line.hasPrefix("ExecStart=") else { return String(line) }
                let arguments = line.dropFirst("ExecStart=".count).split(separator: " ", maxSplits: 1).dropFirst()
                return (["ExecStart=" + alertd] + arguments).joined(separator: " ")
            }.joined(separator: "\n")
            try staged.write(to: directory.url.appendingPathComponent(unit), atomically: true, encoding: .utf8)
        }
    }

    func path(_ unit: String) -> String { directory.url.appendingPathComponent(unit).path }
}

/// A systemd unit file as (section, key, value) in file order; continuation
/// lines are not used by alertd's units and not supported.
struct UnitFile {
    let entries: [(section: String, key: String, value: String)]

    init(_ url: URL) throws {
        var section = ""
        var entries: [(section: String, key: String, value: String)] = []
        for raw in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") { section = String(line.dropFirst().dropLast()); continue }
            guard let equals = line.firstIndex(of: "=") else { continue }
            entries.append((section, String(line[..<equals]).trimmingCharacters(in: .whitespaces),
                            String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)))
        }
        self.entries = entries
    }

    func values(_ section: String, _ key: String) -> [String] {
        entries.filter { $0.section == section && $0.key == key }.map(\.value)
    }
}

/// A fresh directory under the temp dir, removed when the value goes away.
final class TemporaryDirectory: @unchecked Sendable {
    let url: URL

    init(_ prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Host programs (systemd-analyze, journalctl, make, strace) run to completion.
enum HostTool {
    static let searchPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    static func exists(_ name: String) -> Bool { (try? path(name)) != nil }

    static func path(_ name: String) throws -> String {
        let directories = (ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map(String.init) ?? []) + searchPath
        guard let found = directories.map({ "\($0)/\(name)" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw E2EError("\(name) not found in PATH (Debian: apt-get install systemd make strace util-linux)")
        }
        return found
    }

    /// Through `Spawn` (posix_spawn + waitpid), not Foundation's `Process`.
    static func run(_ name: String, _ arguments: [String], timeout: Double = 120) async throws -> (status: Int32, out: String, err: String) {
        let result = try await Spawn.runOffPool(try path(name), arguments, timeout: timeout)
        return (result.status, result.out, result.err)
    }
}
