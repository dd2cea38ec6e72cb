import AlertCore
import Logging
import NIOCore
import NIOPosix

/// A TCP or Unix stream listener: newline-delimited frames, each decoded on
/// its own. What one read brings is decoded and submitted as one batch; while
/// the pipeline queue is full the connection stops reading (backpressure),
/// so nothing is dropped.
public final class StreamListener: Sendable {
    public enum Address: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String, mode: UInt32)
    }

    public let name: String
    private let server: StreamServer<ByteBuffer, ByteBuffer>
    private let intake: FrameIntake
    private let sink: any AlertSink

    public init(
        name: String, address: Address, descriptor: CInt? = nil, maxFrame: Int, maxConnections: Int, idleTimeout: Double,
        sink: any AlertSink, metrics: any ListenerMetrics, group: any EventLoopGroup, logger: Logger
    ) {
        self.name = name
        self.sink = sink
        let serverAddress: StreamServer<ByteBuffer, ByteBuffer>.Address
        switch address {
        case .tcp(let host, let port): serverAddress = .inet(host: host, port: port)
        case .unix(let path, let mode): serverAddress = .unix(path: path, mode: mode)
        }
        let idle = TimeAmount.milliseconds(Int64(idleTimeout * 1000))
        server = StreamServer(
            name: name, address: serverAddress, descriptor: descriptor, maxConnections: maxConnections, group: group,
            logger: logger, onRefused: { metrics.rejected(.overload, count: 1) },
            configure: { try $0.addHandler(IdleTimeoutHandler(timeout: idle)) })
        intake = FrameIntake(listener: name, maxFrame: maxFrame, metrics: metrics, logger: logger)
    }

    /// Connections being served now.
    public var activeConnections: Int { server.activeConnections }

    public func bind() async throws -> SocketAddress { try await server.bind() }

    /// Serves until `stop()` or cancellation.
    public func serve() async {
        let intake = self.intake
        let sink = self.sink
        await server.serve { connection in
            let peer = connection.channel.remoteAddress?.displayString ?? "unix"
            var framer = StreamFramer(maxFrame: intake.decoder.maxFrame)
            try await connection.executeThenClose { inbound, _ in
                for try await chunk in inbound {
                    var batch: [Alert] = []
                    framer.feed(chunk) { Self.take($0, intake: intake, peer: peer, into: &batch) }
                    if !batch.isEmpty { await sink.submit(batch) }
                }
                var batch: [Alert] = []
                framer.finish { Self.take($0, intake: intake, peer: peer, into: &batch) }
                if !batch.isEmpty { await sink.submit(batch) }
            }
        }
    }

    public func stop() async { await server.stop() }

    private static func take(_ frame: StreamFramer.Frame, intake: FrameIntake, peer: String, into batch: inout [Alert]) {
        switch frame {
        case .line(let bytes):
            intake.decode(bytes, peer: peer, into: &batch)
        case .oversized(let size):
            intake.refuse(
                DecodeError(.tooLarge, "frame of at least \(size) bytes exceeds max_frame \(intake.decoder.maxFrame)"),
                peer: peer)
        }
    }
}
