import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The accept loop shared by stream listeners, the control socket and HTTP:
/// binds TCP or a Unix stream socket (or serves one systemd passed), runs one
/// child task per connection and enforces the connection limit. Each user
/// sets up its connections' channel pipeline (`configure`: framing, HTTP
/// codec, idle timeout). A connection's error ends that connection only,
/// never the listener.
final class StreamServer<Inbound: Sendable, Outbound: Sendable>: Sendable {
    enum Address: Sendable, Equatable {
        case inet(host: String, port: Int)
        case unix(path: String, mode: UInt32)
    }

    typealias Connection = NIOAsyncChannel<Inbound, Outbound>
    typealias Configure = @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void

    let name: String
    private let address: Address
    /// A socket passed by systemd to serve instead of binding `address`.
    private let descriptor: CInt?
    private let maxConnections: Int
    private let configure: Configure
    private let group: any EventLoopGroup
    private let logger: Logger
    private let server = Mutex<NIOAsyncChannel<Connection, Never>?>(nil)
    private let active = Atomic<Int>(0)
    private let onRefused: @Sendable () -> Void

    init(
        name: String, address: Address, descriptor: CInt? = nil, maxConnections: Int, group: any EventLoopGroup,
        logger: Logger, onRefused: @escaping @Sendable () -> Void, configure: @escaping Configure
    ) {
        self.name = name
        self.address = address
        self.descriptor = descriptor
        self.maxConnections = maxConnections
        self.configure = configure
        self.group = group
        self.logger = logger
        self.onRefused = onRefused
    }

    var activeConnections: Int { active.load(ordering: .relaxed) }

    /// Binds; returns the bound address. Call `serve` afterwards.
    func bind() async throws -> SocketAddress {
        let configure = self.configure
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Connection> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try configure(channel.pipeline.syncOperations)
                return try Connection(wrappingChannelSynchronously: channel)
            }
        }
        let channel: NIOAsyncChannel<Connection, Never>
        switch address {
        case _ where descriptor != nil:
            // systemd bound it (and set its mode); serve it as it is.
            channel = try await bootstrap.bind(descriptor!, childChannelInitializer: initializer)
        case .inet(let host, let port):
            channel = try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
        case .unix(let path, let mode):
            try UnixSocketFile.removeStale(at: path)
            channel = try await bootstrap.bind(
                unixDomainSocketPath: path, cleanupExistingSocketFile: false, childChannelInitializer: initializer)
            try UnixSocketFile.setMode(mode, at: path)
        }
        server.withLock { $0 = channel }
        return channel.channel.localAddress!
    }

    /// Serves until the server channel is closed (`stop`) or the task is
    /// cancelled; then waits for connection tasks to end.
    func serve(_ handle: @escaping @Sendable (Connection) async throws -> Void) async {
        guard let channel = server.withLock({ $0 }) else { return }
        do {
            try await withThrowingDiscardingTaskGroup { group in
                try await channel.executeThenClose { inbound in
                    for try await connection in inbound {
                        if active.add(1, ordering: .relaxed).newValue > maxConnections {
                            active.subtract(1, ordering: .relaxed)
                            onRefused()
                            logger.warning("refused connection: max_connections \(maxConnections) reached", metadata: ["listener": "\(name)"])
                            try? await connection.channel.close()
                            continue
                        }
                        group.addTask {
                            defer { self.active.subtract(1, ordering: .relaxed) }
                            do {
                                try await handle(connection)
                            } catch {
                                self.logger.debug("connection ended: \(error)", metadata: ["listener": "\(self.name)"])
                            }
                        }
                    }
                }
                // Stopped accepting: end the connections too.
                group.cancelAll()
            }
        } catch {
            logger.debug("accept loop ended: \(error)", metadata: ["listener": "\(name)"])
        }
    }

    /// Stops accepting; open connections end when their tasks see cancellation.
    func stop() async {
        let channel = server.withLock { $0 }
        try? await channel?.channel.close()
    }
}
