import AlertCore
import AlertIO
import Glibc
import Testing

@Suite("UDP listener", .eventLoopGroup)
struct DatagramListenerTests {
    /// A UDP listener on 127.0.0.1, port 0, running for the length of `body`.
    func withListener(
        maxFrame: Int = 64 * 1024, sink: any AlertSink, metrics: CountingMetrics,
        _ body: (_ port: Int) async throws -> Void
    ) async throws {
        let listener = DatagramListener(
            name: "ingest-udp", host: "127.0.0.1", port: 0, maxFrame: maxFrame, sink: sink,
            metrics: metrics, group: try EventLoopGroupTrait.group, logger: quietLogger, receiveBuffer: 1 << 20)
        let port = try #require(try await listener.start().port)
        do {
            try await body(port)
        } catch {
            await listener.stop()
            throw error
        }
        await listener.stop()
    }

    @Test("one datagram with three objects, the middle one bad: two alerts, one malformed")
    func badMiddleObject() async throws {
        let sink = RecordingSink()
        let metrics = CountingMetrics()
        try await withListener(sink: sink, metrics: metrics) { port in
            let datagram = alertLine("first") + #"{"check": "broken","# + "\n" + alertLine("third")
            try sendDatagram(datagram, toPort: port)
            try await waitUntil("two alerts and one refusal") {
                sink.alerts.count == 2 && metrics.rejections(.malformed) == 1
            }
            #expect(sink.checks == ["first", "third"])
            #expect(sink.alerts.allSatisfy { $0.listener == "ingest-udp" })
            #expect(metrics.received("json") == 2)
            #expect(metrics.allRejections == [.malformed: 1])
        }
    }

    @Test("a socket systemd passed with a larger receive buffer keeps it; a smaller one is raised")
    func receiveBufferIsOnlyRaised() async throws {
        // ReceiveBuffer= in a socket unit: 2 MiB here (within net.core.rmem_max,
        // so no privilege needed); the listener asks for 1 MiB.
        for (given, expectedAtLeast) in [(2 << 20, 2 << 20), (64 << 10, 1 << 20)] {
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            #expect(fd >= 0)
            var size = Int32(given)
            #expect(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) == 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            #expect(bound == 0)
            let listener = DatagramListener(
                name: "ingest-udp", host: "127.0.0.1", port: 0, descriptor: fd, maxFrame: 1024, sink: RecordingSink(),
                metrics: CountingMetrics(), group: try EventLoopGroupTrait.group, logger: quietLogger,
                receiveBuffer: 1 << 20)
            try await listener.start()
            var reported: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            #expect(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &reported, &length) == 0)
            // Linux reports twice the size set (half is its bookkeeping).
            #expect(Int(reported) / 2 >= expectedAtLeast, "given \(given): now \(reported / 2)")
            await listener.stop()
        }
    }

    @Test("a datagram larger than max_frame is counted too_large; the next one gets in")
    func oversizedDatagram() async throws {
        let sink = RecordingSink()
        let metrics = CountingMetrics()
        try await withListener(maxFrame: 1024, sink: sink, metrics: metrics) { port in
            let huge = #"{"check":"huge","summary":""# + String(repeating: "x", count: 2000) + "\"}"
            try sendDatagram(huge, toPort: port)
            try await waitUntil("the datagram is refused") { !metrics.allRejections.isEmpty }
            #expect(metrics.allRejections == [.tooLarge: 1])
            try sendDatagram(alertLine("small"), toPort: port)
            try await waitUntil("the next datagram's alert arrives") { sink.checks == ["small"] }
        }
    }

    @Test(
        "a datagram up to max_frame bytes gets in",
        arguments: [
            // NIO shares one receive buffer between the datagrams of a vector
            // read: each must still get room for a whole max_frame.
            (maxFrame: 1024, size: 1024),
            (maxFrame: 64 * 1024, size: 4000),
            (maxFrame: 64 * 1024, size: 60000),
        ])
    func datagramWithinLimit(maxFrame: Int, size: Int) async throws {
        let sink = RecordingSink()
        let metrics = CountingMetrics()
        try await withListener(maxFrame: maxFrame, sink: sink, metrics: metrics) { port in
            let head = #"{"check":"big_but_allowed","summary":""#
            let datagram = head + String(repeating: "x", count: size - head.utf8.count - 2) + "\"}"
            #expect(datagram.utf8.count == size)
            try sendDatagram(datagram, toPort: port)
            try await waitUntil("the datagram is taken or refused") {
                !sink.alerts.isEmpty || !metrics.allRejections.isEmpty
            }
            #expect(sink.checks == ["big_but_allowed"])
            #expect(metrics.allRejections.isEmpty)
        }
    }

    @Test("when the sink's queue is full the datagram's alerts are counted as overload")
    func sinkRefuses() async throws {
        let sink = RefusingSink()
        let metrics = CountingMetrics()
        try await withListener(sink: sink, metrics: metrics) { port in
            try sendDatagram(alertLine("one") + alertLine("two"), toPort: port)
            try await waitUntil("the refusal is counted") { metrics.rejections(.overload) == 2 }
            #expect(sink.offers == 1)
            try sendDatagram(alertLine("three"), toPort: port)
            try await waitUntil("the second refusal is counted") { metrics.rejections(.overload) == 3 }
            #expect(sink.offers == 2)
        }
    }

    /// Runs a Unix datagram listener at a fresh path (over a stale socket
    /// file) for the length of `body`.
    func withUnixDatagramListener(
        sink: RecordingSink, metrics: CountingMetrics, _ body: (_ dir: TemporaryDirectory, _ path: String) async throws -> Void
    ) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("log.sock")
        try makeStaleSocketFile(at: path)
        let listener = UnixDatagramListener(
            name: "ingest-unixgram", path: path, mode: 0o620, maxFrame: 64 * 1024, sink: sink,
            metrics: metrics, logger: quietLogger, receiveBuffer: 1 << 20)
        _ = try listener.start()
        do {
            try await body(dir, path)
        } catch {
            await listener.stop()
            throw error
        }
        await listener.stop()
    }

    @Test("a Unix datagram socket gets its mode and decodes what a bound sender sends")
    func unixDatagram() async throws {
        let sink = RecordingSink()
        let metrics = CountingMetrics()
        try await withUnixDatagramListener(sink: sink, metrics: metrics) { dir, path in
            let file = try fileMode(path)
            #expect(file.isSocket)
            #expect(file.permissions == 0o620)
            try sendDatagram(alertLine("over_unixgram"), toPath: path, from: dir.file("client.sock"))
            try await waitUntil("the alert arrives") { sink.checks == ["over_unixgram"] }
            #expect(sink.alerts.first?.listener == "ingest-unixgram")
            #expect(metrics.allRejections.isEmpty)
        }
    }

    // A datagram from an unbound Unix socket (what `logger -u PATH` sends)
    // has no peer name; NIO's datagram channel stops on that, which is why
    // unixgram has its own reader.
    @Test("a datagram from an unbound Unix socket, as logger sends, gets in")
    func unixDatagramFromUnboundSender() async throws {
        let sink = RecordingSink()
        let metrics = CountingMetrics()
        try await withUnixDatagramListener(sink: sink, metrics: metrics) { _, path in
            try sendDatagram(alertLine("from_logger"), toPath: path, from: nil)
            try await waitUntil("the alert arrives") { sink.checks == ["from_logger"] }
            try sendDatagram(alertLine("still_listening"), toPath: path, from: nil)
            try await waitUntil("the listener is still there") { sink.checks == ["from_logger", "still_listening"] }
        }
    }

    @Test("an oversized Unix datagram is counted too_large and the next one gets in")
    func unixDatagramTooLarge() async throws {
        let sink = RecordingSink()
        let metrics = CountingMetrics()
        try await withUnixDatagramListener(sink: sink, metrics: metrics) { _, path in
            let huge = #"{"check":"huge","summary":""# + String(repeating: "x", count: 70_000) + "\"}"
            try sendDatagram(huge, toPath: path, from: nil)
            try await waitUntil("the refusal is counted") { metrics.allRejections == [.tooLarge: 1] }
            try sendDatagram(alertLine("small"), toPath: path, from: nil)
            try await waitUntil("the next alert arrives") { sink.checks == ["small"] }
        }
    }
}
