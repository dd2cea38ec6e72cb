import Foundation
import Testing

/// Socket activation: listeners serve the sockets systemd passes
/// (`LISTEN_FDS`, matched by `FileDescriptorName=`) instead of binding.
@Suite(.serialized) struct SocketActivationTests {
    /// The listeners' own addresses cannot be bound here (192.0.2.1 is
    /// TEST-NET, not a local address), so alerts arriving at all prove the
    /// inherited sockets were used.
    static let config = """
        listen:
          - { name: ingest-tcp, tcp: "192.0.2.1:5140" }
          - { name: ingest-udp, udp: "192.0.2.1:5140" }
          - { name: ingest-unix, unix: "$DIR/never-bound.sock" }
          - { name: ingest-extra, tcp: "127.0.0.1:0" }
          - { name: http, http: "192.0.2.1:9095" }
        storage: { sqlite: "$DIR/state/alertd.sqlite" }
        control: { socket: "$DIR/control.sock" }
        """

    /// Binds named sockets, sets LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES and
    /// execs alertd in place (so LISTEN_PID is alertd's pid), as systemd does.
    static let launcher = """
        import json, os, socket, sys
        out, unix_path, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM); tcp.bind(("127.0.0.1", 0)); tcp.listen(128)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(("127.0.0.1", 0))
        ux = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); ux.bind(unix_path); ux.listen(128)
        http = socket.socket(socket.AF_INET, socket.SOCK_STREAM); http.bind(("127.0.0.1", 0)); http.listen(128)
        stray = socket.socket(socket.AF_INET, socket.SOCK_STREAM); stray.bind(("127.0.0.1", 0)); stray.listen(1)
        with open(out + ".tmp", "w") as f:
            json.dump({"tcp": tcp.getsockname()[1], "udp": udp.getsockname()[1], "http": http.getsockname()[1]}, f)
        os.rename(out + ".tmp", out)
        # Move them out of the way first, so dup2 onto 3.. cannot clobber one.
        moved = []
        for s in (tcp, udp, ux, http, stray):
            moved.append(os.dup2(s.fileno(), 50 + len(moved)))
        for i, fd in enumerate(moved):
            os.dup2(fd, 3 + i)
            os.set_inheritable(3 + i, True)
        os.environ.update(LISTEN_FDS="5", LISTEN_PID=str(os.getpid()),
                          LISTEN_FDNAMES="ingest-tcp:ingest-udp:ingest-unix:http:stray")
        os.execv(argv[0], argv)
        """

    @Test func namedInheritedSocketsAreServedAndTheRestBound() throws {
        let daemon = try DaemonProcess(config: Self.config)
        let ports = daemon.directory.appendingPathComponent("ports.json").path
        let unixPath = daemon.directory.appendingPathComponent("activated.sock").path
        try daemon.start(launcher: ["/usr/bin/env", "python3", "-c", Self.launcher, ports, unixPath])
        let bound = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ports))) as? [String: Int])

        try Send.tcp(#"{"check":"via_tcp"}"# + "\n", port: UInt16(bound["tcp"]!))
        try Send.udp(#"{"check":"via_udp"}"#, port: UInt16(bound["udp"]!))
        try Send.unix(#"{"check":"via_unix"}"# + "\n", path: unixPath)
        try Send.tcp(#"{"check":"via_extra"}"# + "\n", port: daemon.port(of: "ingest-extra"))
        let viaHTTP = try HTTPEndToEndTests.curl(["--data", #"{"check":"via_http"}"#, "http://127.0.0.1:\(bound["http"]!)/api/v1/alerts"])
        #expect(viaHTTP.status == 200, "\(viaHTTP.text)")
        try waitUntil("all five alerts are in") { try daemon.incidents().count == 5 }

        #expect(!FileManager.default.fileExists(atPath: daemon.directory.appendingPathComponent("never-bound.sock").path))
        #expect(daemon.output.contains(#"inherited socket "stray""#))
        #expect(daemon.output.contains("from systemd"))
    }

    @Test func systemdSocketActivateStartsAlertdOnFirstConnection() throws {
        let daemon = try DaemonProcess(config: """
            listen:
              - { name: ingest-tcp, tcp: "192.0.2.1:5140" }
            storage: { sqlite: "$DIR/state/alertd.sqlite" }
            control: { socket: "$DIR/control.sock" }
            """)
        let port = try freeTCPPort()
        try daemon.start(
            launcher: ["/usr/bin/systemd-socket-activate", "-l", "127.0.0.1:\(port)", "--fdname=ingest-tcp"],
            waitForReady: false)
        try daemon.waitFor("Listening on")
        // The first connection makes systemd-socket-activate exec alertd,
        // which then accepts it from the inherited socket.
        try Send.tcp(#"{"check":"activated","host":"h1"}"# + "\n", port: port)
        try daemon.waitFor("ready")
        try waitUntil("the alert that woke alertd is stored") { try daemon.incidents().count == 1 }
        #expect(try daemon.incidents().first?["title"] as? String == "h1: activated")
    }
}

/// A TCP port free right now on 127.0.0.1.
func freeTCPPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard ok else { throw E2EError("no free port: \(errno)") }
    return UInt16(bigEndian: address.sin_port)
}
