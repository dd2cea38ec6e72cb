import AlertIO
import Testing

@Suite("ControlServer", .eventLoopGroup)
struct ControlServerTests {
    /// An echo handler that answers `slow` requests late, so order is really tested.
    static let echo: ControlServer.Handler = { request in
        let text = String(decoding: request, as: UTF8.self)
        if text.contains("slow") { try? await Task.sleep(for: .milliseconds(200)) }
        return "echo " + text
    }

    func withServer(_ body: (_ path: String) async throws -> Void) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("control.sock")
        let server = ControlServer(
            path: path, mode: 0o660, group: try EventLoopGroupTrait.group, logger: quietLogger, handler: Self.echo)
        try await server.bind()
        try await whileServing({ await server.serve() }, stop: { await server.stop() }) {
            try await body(path)
        }
    }

    @Test("two requests on one connection get two answers, in order")
    func twoRequestsInOrder() async throws {
        try await withServer { path in
            let client = try ClientSocket.unix(path: path)
            try client.send(#"{"command":"slow"}"# + "\n" + #"{"command":"fast"}"# + "\n")
            let answers = try await client.readLines(2)
            #expect(answers == [#"echo {"command":"slow"}"#, #"echo {"command":"fast"}"#])
        }
    }

    @Test("requests sent one after another on one connection are each answered")
    func requestsInTurn() async throws {
        try await withServer { path in
            let client = try ClientSocket.unix(path: path)
            try client.send("first\n")
            #expect(try await client.readLines(1) == ["echo first"])
            try client.send("sec")
            try client.send("ond\n")
            #expect(try await client.readLines(1) == ["echo second"])
        }
    }

    @Test("the control socket file has the configured mode")
    func socketMode() async throws {
        try await withServer { path in
            let file = try fileMode(path)
            #expect(file.isSocket)
            #expect(file.permissions == 0o660)
        }
    }

    @Test("stop() ends an open admin connection, and serve() returns")
    func stopWithOpenConnection() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("control.sock")
        let server = ControlServer(
            path: path, mode: 0o660, group: try EventLoopGroupTrait.group, logger: quietLogger, handler: Self.echo)
        try await server.bind()
        let finished = Flag()
        let serving = Task {
            await server.serve()
            finished.set()
        }
        defer { serving.cancel() }
        let client = try ClientSocket.unix(path: path)
        try client.send("ping\n")
        #expect(try await client.readLines(1) == ["echo ping"])

        await server.stop()
        try await waitUntil("serve() returns while a client is still connected") { finished.isSet }
        #expect(try await client.read() == .closed)
    }
}
