import Foundation
import Testing

/// A bad configuration stops alertd before it binds anything, with every
/// problem named by file and line.
@Suite struct ConfigEndToEndTests {
    static let badConfig = """
        listen:
          - { name: ingest-tcp, tcp: "127.0.0.1:0" }
        default_severity: SEV9
        rules:
          - name: r1
            match: ['check == "x"']
            severity: SEV1
            colour: red
        """

    @Test func startWithBadConfigExits78() throws {
        let daemon = try DaemonProcess(config: Self.badConfig)
        let result = try DaemonProcess.run("alertd", ["--config", daemon.configPath])
        #expect(result.status == 78)
        #expect(result.err.contains("alertd.yaml:3"))  // default_severity
        #expect(result.err.contains("colour"))
    }

    @Test func checkConfigReportsEveryProblem() throws {
        let daemon = try DaemonProcess(config: Self.badConfig)
        let result = try DaemonProcess.run("alertd", ["check-config", "--config", daemon.configPath])
        #expect(result.status == 1)
        #expect(result.err.contains("SEV9"))
        #expect(result.err.contains("rules[0]"))
        let good = try DaemonProcess()
        let ok = try DaemonProcess.run("alertd", ["check-config", "--config", good.configPath])
        #expect(ok.status == 0)
    }

    @Test func versionPrints() throws {
        let result = try DaemonProcess.run("alertd", ["--version"])
        #expect(result.status == 0)
        #expect(result.out.contains("0."))
    }

    /// alertd links jemalloc as its malloc (docs/architecture.md); asked
    /// to, jemalloc prints its statistics at exit, which only the malloc
    /// in use can do.
    @Test func mallocIsJemalloc() throws {
        let alertd = DaemonProcess.binDirectory.appendingPathComponent("alertd").path
        let result = try Spawn.run("/usr/bin/env", ["MALLOC_CONF=stats_print:true", alertd, "--version"])
        #expect(result.status == 0)
        #expect(result.err.contains("jemalloc statistics"))
    }
}
