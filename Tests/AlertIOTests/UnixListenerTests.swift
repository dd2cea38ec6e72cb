import AlertCore
import AlertIO
import Foundation
import Testing

@Suite("Unix stream listener", .eventLoopGroup)
struct UnixListenerTests {
    func makeListener(path: String, mode: UInt32 = 0o660, sink: RecordingSink, metrics: CountingMetrics) throws
        -> StreamListener
    {
        StreamListener(
            name: "ingest-unix", address: .unix(path: path, mode: mode), maxFrame: 64 * 1024, maxConnections: 64,
            idleTimeout: 60, sink: sink, metrics: metrics, group: try EventLoopGroupTrait.group, logger: quietLogger)
    }

    /// Binds a listener at `path`, serves, sends one line and checks that it arrives.
    func checkServes(at path: String, mode: UInt32 = 0o660) async throws {
        let sink = RecordingSink()
        let metrics = CountingMetrics()
        let listener = try makeListener(path: path, mode: mode, sink: sink, metrics: metrics)
        _ = try await listener.bind()
        try await whileServing({ await listener.serve() }, stop: { await listener.stop() }) {
            let client = try ClientSocket.unix(path: path)
            try client.send("garbage\n" + alertLine("over_unix", host: "node-3"))
            try await waitUntil("the alert arrives") { sink.checks == ["over_unix"] }
            #expect(sink.alerts.first?.listener == "ingest-unix")
            #expect(metrics.received("json") == 1)
            #expect(metrics.allRejections == [.malformed: 1])
        }
    }

    @Test("a valid line over the socket file becomes an alert")
    func validLine() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await checkServes(at: dir.file("alertd.sock"))
    }

    @Test("the socket file gets the configured mode", arguments: [0o660 as UInt32, 0o600, 0o666])
    func socketMode(mode: UInt32) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("alertd.sock")
        let listener = try makeListener(path: path, mode: mode, sink: RecordingSink(), metrics: CountingMetrics())
        _ = try await listener.bind()
        let file = try fileMode(path)
        #expect(file.isSocket)
        #expect(file.permissions == mode, "mode is \(String(file.permissions, radix: 8)), want \(String(mode, radix: 8))")
        await listener.stop()
    }

    @Test("the socket's directory is created when missing")
    func createsDirectory() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await checkServes(at: dir.file("run/alertd/alertd.sock"))
    }

    @Test("a stale socket file left by a previous run is replaced")
    func replacesStaleSocket() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("alertd.sock")
        try makeStaleSocketFile(at: path)
        #expect(try fileMode(path).isSocket)
        #expect(throws: SocketError.self, "nobody listens on a stale socket") { try ClientSocket.unix(path: path) }
        try await checkServes(at: path)
    }

    @Test("a regular file at the path is not replaced: bind throws")
    func keepsRegularFile() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("alertd.sock")
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: path))
        let listener = try makeListener(path: path, sink: RecordingSink(), metrics: CountingMetrics())
        await #expect(throws: (any Error).self) { _ = try await listener.bind() }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious\n")
        #expect(try !fileMode(path).isSocket)
    }
}
