import Logging
import NIOCore
import NIOPosix

/// The admin socket (`control.sock`): one JSON request per line, one JSON
/// answer line each (see `ControlRequest` in AlertCore). Access is the
/// socket file's mode and group.
public final class ControlServer: Sendable {
    /// Answers one request line with one response (without the newline).
    public typealias Handler = @Sendable (ByteBufferView) async -> String

    private let server: StreamServer<ByteBuffer, ByteBuffer>
    private let handler: Handler

    public init(path: String, mode: UInt32, group: any EventLoopGroup, logger: Logger, handler: @escaping Handler) {
        server = StreamServer(
            name: "control", address: .unix(path: path, mode: mode), maxConnections: 64, group: group, logger: logger,
            onRefused: {}, configure: { try $0.addHandler(IdleTimeoutHandler(timeout: .minutes(5))) })
        self.handler = handler
    }

    public func bind() async throws { _ = try await server.bind() }

    public func serve() async {
        let handler = self.handler
        await server.serve { connection in
            var framer = StreamFramer(maxFrame: 1 << 20)
            try await connection.executeThenClose { inbound, outbound in
                for try await chunk in inbound {
                    var requests: [ByteBufferView] = []
                    framer.feed(chunk) { frame in
                        if case .line(let line) = frame { requests.append(line) }
                    }
                    for request in requests {
                        let answer = await handler(request)
                        try await outbound.write(ByteBuffer(string: answer + "\n"))
                    }
                }
            }
        }
    }

    public func stop() async { await server.stop() }
}
