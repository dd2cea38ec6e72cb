import AlertCore
import AlertIO
import Foundation
import Testing

@Suite("TCP listener", .eventLoopGroup)
struct TCPListenerTests {
    /// A TCP listener on 127.0.0.1, port 0, serving for the length of `body`.
    func withListener(
        maxFrame: Int = 64 * 1024, maxConnections: Int = 1024, idleTimeout: Double = 60,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: (_ listener: StreamListener, _ port: Int, RecordingSink, CountingMetrics) async throws -> Void
    ) async throws {
        let sink = RecordingSink()
        let metrics = CountingMetrics()
        let listener = StreamListener(
            name: "ingest-tcp", address: .tcp(host: "127.0.0.1", port: 0), maxFrame: maxFrame,
            maxConnections: maxConnections, idleTimeout: idleTimeout, sink: sink, metrics: metrics,
            group: try EventLoopGroupTrait.group, logger: quietLogger)
        let port = try #require(try await listener.bind().port)
        try await whileServing({ await listener.serve() }, stop: { await listener.stop() }, sourceLocation: sourceLocation) {
            try await body(listener, port, sink, metrics)
        }
    }

    @Test("a valid line becomes an alert, tagged with the listener")
    func validLine() async throws {
        try await withListener { _, port, sink, metrics in
            let client = try ClientSocket.tcp(port: port)
            try client.send(alertLine("disk_full", host: "node-7"))
            try await waitUntil("the alert arrives") { sink.alerts.count == 1 }
            let alert = try #require(sink.alerts.first)
            #expect(alert.check == "disk_full")
            #expect(alert.host == "node-7")
            #expect(alert.listener == "ingest-tcp")
            #expect(metrics.received("json") == 1)
            #expect(metrics.allRejections.isEmpty)
        }
    }

    @Test("garbage then a valid line on one connection: the valid alert arrives, one malformed")
    func garbageThenValid() async throws {
        try await withListener { _, port, sink, metrics in
            let client = try ClientSocket.tcp(port: port)
            try client.send("this is not an alert\n" + alertLine("after_garbage"))
            try await waitUntil("the valid alert arrives") { sink.checks == ["after_garbage"] }
            #expect(metrics.rejections(.malformed) == 1)
            #expect(metrics.allRejections == [.malformed: 1])
        }
    }

    @Test("a CRLF-terminated line is decoded")
    func crlfLine() async throws {
        try await withListener { _, port, sink, metrics in
            let client = try ClientSocket.tcp(port: port)
            try client.send(#"{"check":"windows_agent"}"# + "\r\n")
            try await waitUntil("the alert arrives") { sink.checks == ["windows_agent"] }
            #expect(metrics.allRejections.isEmpty)
        }
    }

    @Test("an oversized line is counted too_large and the next line on the connection still gets in")
    func oversizedThenValid() async throws {
        try await withListener(maxFrame: 1024) { _, port, sink, metrics in
            let client = try ClientSocket.tcp(port: port)
            let huge = #"{"check":"huge","summary":""# + String(repeating: "x", count: 5000) + "\"}\n"
            try client.send(huge + alertLine("after_huge"))
            try await waitUntil("the valid alert arrives") { sink.checks == ["after_huge"] }
            #expect(metrics.rejections(.tooLarge) == 1)
            #expect(metrics.allRejections == [.tooLarge: 1])
        }
    }

    @Test("an oversized line sent in small pieces is refused once")
    func oversizedInPieces() async throws {
        try await withListener(maxFrame: 1024) { _, port, sink, metrics in
            let client = try ClientSocket.tcp(port: port)
            try client.send(#"{"check":"huge","summary":""#)
            for _ in 0..<10 {
                try client.send(String(repeating: "y", count: 500))
                try await Task.sleep(for: .milliseconds(5))  // let them arrive as separate reads
            }
            try client.send("\"}\n" + alertLine("after_huge"))
            try await waitUntil("the valid alert arrives") { sink.checks == ["after_huge"] }
            #expect(metrics.allRejections == [.tooLarge: 1])
        }
    }

    @Test("200 idle connections are held while another one still gets an alert through")
    func manyIdleConnections() async throws {
        try await withListener { listener, port, sink, _ in
            var idle: [ClientSocket] = []
            for _ in 0..<200 { idle.append(try ClientSocket.tcp(port: port)) }
            try await waitUntil("200 connections are active") { listener.activeConnections == 200 }

            let busy = try ClientSocket.tcp(port: port)
            try busy.send(alertLine("through_the_crowd"))
            try await waitUntil("the alert arrives") { sink.checks == ["through_the_crowd"] }
            #expect(listener.activeConnections == 201)

            for client in idle { client.close() }
            busy.close()
            try await waitUntil("every connection has ended") { listener.activeConnections == 0 }
        }
    }

    @Test("idle connections are closed by the server after idle_timeout")
    func idleTimeout() async throws {
        try await withListener(idleTimeout: 0.5) { listener, port, _, _ in
            let clients = try (0..<3).map { _ in try ClientSocket.tcp(port: port) }
            try await waitUntil("3 connections are active") { listener.activeConnections == 3 }
            try await waitUntil("the server has closed the idle connections") { listener.activeConnections == 0 }
            for client in clients {
                #expect(try await client.read(deadline: .seconds(2)) == .closed)
            }
        }
    }

    @Test("a connection that keeps sending is not closed as idle")
    func activeConnectionIsNotIdle() async throws {
        // 3.2 s in all, more than twice the idle timeout, and never silent
        // for more than 0.2 s: a wide margin on a loaded two-core machine.
        // The client talks from a thread of its own: on a loaded machine the
        // test's cooperative threads can stall longer than the idle timeout.
        try await withListener(idleTimeout: 1.5) { listener, port, sink, _ in
            let client = UncheckedSendable(try ClientSocket.tcp(port: port))
            Thread {
                for index in 0..<16 {
                    try? client.value.send(alertLine("tick_\(index)"))
                    usleep(200_000)
                }
            }.start()
            // Had the server closed it as idle, later sends would be lost
            // (broken pipe) and fewer than 16 alerts would ever arrive.
            try await waitUntil("every alert arrives") { sink.alerts.count == 16 }
        }
    }

    @Test("beyond max_connections a connection is closed by the server and counted as overload")
    func connectionLimit() async throws {
        try await withListener(maxConnections: 5) { listener, port, sink, metrics in
            let admitted = try (0..<5).map { _ in try ClientSocket.tcp(port: port) }
            try await waitUntil("5 connections are active") { listener.activeConnections == 5 }

            let sixth = try ClientSocket.tcp(port: port)
            #expect(try await sixth.read() == .closed)
            try await waitUntil("the refusal is counted") { metrics.rejections(.overload) == 1 }
            #expect(listener.activeConnections == 5)

            // The admitted ones are still served.
            try admitted[4].send(alertLine("admitted"))
            try await waitUntil("an admitted connection's alert arrives") { sink.checks == ["admitted"] }

            // Once one leaves, there is room again.
            admitted[0].close()
            try await waitUntil("the closed connection has ended") { listener.activeConnections == 4 }
            let next = try ClientSocket.tcp(port: port)
            try next.send(alertLine("room_again"))
            try await waitUntil("the new connection's alert arrives") { sink.checks == ["admitted", "room_again"] }
            #expect(metrics.rejections(.overload) == 1)
        }
    }

    @Test("a client that sends half a line and disconnects does not hurt the listener")
    func halfLineThenDisconnect() async throws {
        try await withListener { listener, port, sink, metrics in
            let broken = try ClientSocket.tcp(port: port)
            try broken.send(#"{"check":"cut_o"#)
            broken.close()
            try await waitUntil("the half line is refused") { metrics.rejections(.malformed) == 1 }
            try await waitUntil("the connection has ended") { listener.activeConnections == 0 }

            let next = try ClientSocket.tcp(port: port)
            try next.send(alertLine("next_client"))
            try await waitUntil("the next client's alert arrives") { sink.checks == ["next_client"] }
        }
    }

    @Test("a complete last line without a newline counts when the client disconnects")
    func lastLineAtEOF() async throws {
        try await withListener { _, port, sink, metrics in
            let client = try ClientSocket.tcp(port: port)
            try client.send(#"{"check":"no_newline"}"#)
            client.close()
            try await waitUntil("the alert arrives") { sink.checks == ["no_newline"] }
            #expect(metrics.allRejections.isEmpty)
        }
    }

    @Test("stop() ends connections still open, and serve() returns")
    func stopWithOpenConnection() async throws {
        let sink = RecordingSink()
        let listener = StreamListener(
            name: "ingest-tcp", address: .tcp(host: "127.0.0.1", port: 0), maxFrame: 1024, maxConnections: 16,
            idleTimeout: 300, sink: sink, metrics: CountingMetrics(), group: try EventLoopGroupTrait.group,
            logger: quietLogger)
        let port = try #require(try await listener.bind().port)
        let finished = Flag()
        let serving = Task {
            await listener.serve()
            finished.set()
        }
        defer { serving.cancel() }
        let client = try ClientSocket.tcp(port: port)
        try client.send(alertLine("before_stop"))
        try await waitUntil("the alert arrives") { sink.checks == ["before_stop"] }

        await listener.stop()
        try await waitUntil("serve() returns while a client is still connected") { finished.isSet }
        #expect(try await client.read() == .closed)
        #expect(throws: SocketError.self, "nobody accepts after stop()") { try ClientSocket.tcp(port: port) }
    }
}
