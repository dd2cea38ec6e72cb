import Foundation
import Testing

/// The real `logger` (util-linux) sending syslog to the real alertd over
/// every transport it speaks (SPEC §2).
@Suite(.serialized) struct SyslogEndToEndTests {
    static let hasLogger = FileManager.default.isExecutableFile(atPath: "/usr/bin/logger")

    @Test(.enabled(if: hasLogger)) func loggerOverUDPTCPOctetCountingAndTheUnixSocket() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let udp = String(try daemon.port(of: "ingest-udp"))
        let tcp = String(try daemon.port(of: "ingest-tcp"))
        let sends: [[String]] = [
            ["--server", "127.0.0.1", "--port", udp, "--udp", "--rfc5424", "-t", "app-udp", "-p", "user.err", "udp five"],
            ["--server", "127.0.0.1", "--port", udp, "--udp", "--rfc3164", "-t", "app-udp3164", "-p", "daemon.crit", "udp three"],
            ["--server", "127.0.0.1", "--port", tcp, "--tcp", "--rfc5424", "-t", "app-tcp", "-p", "local0.warning", "tcp five"],
            ["--server", "127.0.0.1", "--port", tcp, "--tcp", "--rfc3164", "-t", "app-tcp3164", "-p", "user.notice", "tcp three"],
            ["--server", "127.0.0.1", "--port", tcp, "--tcp", "--octet-count", "--rfc5424", "-t", "app-octet", "-p", "user.err", "octet five"],
            ["-u", daemon.unixSocket, "--socket-errors=on", "--rfc5424", "-t", "app-unix", "-p", "user.crit", "unix five"],
            ["-u", daemon.unixSocket, "--socket-errors=on", "--rfc3164", "-t", "app-unix3164", "-p", "user.err", "unix three"],
            // info is chatter: dropped unless a rule matches it.
            ["--server", "127.0.0.1", "--port", udp, "--udp", "--rfc5424", "-t", "app-info", "-p", "user.info", "just info"],
        ]
        for arguments in sends {
            let result = try Spawn.run("/usr/bin/logger", arguments)
            #expect(result.status == 0, "logger \(arguments): \(result.err)")
        }
        try waitUntil("seven incidents and one dropped info") {
            let stats = try daemon.json(["stats"]) as? [String: Any]
            return try daemon.incidents().count == 7 && stats?["alerts_dropped"] as? Int == 1
        }
        let incidents = try daemon.incidents()
        func severity(of check: String) -> String? {
            incidents.first { ($0["title"] as? String)?.hasSuffix(": " + check) == true || ($0["title"] as? String) == check }?["severity"] as? String
        }
        #expect(severity(of: "udp five") == "SEV2")  // err
        #expect(severity(of: "udp three") == "SEV1")  // crit
        #expect(severity(of: "tcp five") == "SEV3")  // warning
        #expect(severity(of: "tcp three") == "SEV4")  // notice
        #expect(severity(of: "octet five") == "SEV2")
        #expect(severity(of: "unix five") == "SEV1")
        #expect(severity(of: "unix three") == "SEV2")
        // APP-NAME/TAG is the check.
        let shown = try daemon.show(try #require(incidents.first { ($0["title"] as? String)?.hasSuffix("octet five") == true })?["id"] as? Int ?? 0)
        #expect((shown["alerts"] as? [[String: Any]])?.first?["check"] as? String == "app-octet")
    }
}
