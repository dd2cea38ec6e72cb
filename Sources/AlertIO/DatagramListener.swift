import AlertCore
import Glibc
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A UDP listener: each datagram is a frame (possibly
/// several newline-separated alerts). Datagrams cannot be pushed back on, so
/// when the pipeline queue is full the datagram is refused and counted as
/// `overload`; a large receive buffer absorbs bursts first.
public final class DatagramListener: Sendable {
    public let name: String
    private let host: String
    private let port: Int
    /// A socket passed by systemd to serve instead of binding.
    private let descriptor: CInt?
    private let intake: FrameIntake
    private let sink: any AlertSink
    private let group: any EventLoopGroup
    private let receiveBuffer: Int
    private let channel = Mutex<(any Channel)?>(nil)

    public init(
        name: String, host: String, port: Int, descriptor: CInt? = nil, maxFrame: Int, sink: any AlertSink, metrics: any ListenerMetrics,
        group: any EventLoopGroup, logger: Logger, receiveBuffer: Int = 16 << 20
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.descriptor = descriptor
        self.sink = sink
        self.group = group
        self.receiveBuffer = receiveBuffer
        intake = FrameIntake(listener: name, maxFrame: maxFrame, metrics: metrics, logger: logger)
    }

    /// Binds and starts serving; returns the bound address (port 0 → real port).
    @discardableResult
    public func start() async throws -> SocketAddress {
        let intake = self.intake
        let sink = self.sink
        let slot = Self.readSlots(maxFrame: intake.decoder.maxFrame)
        var bootstrap = DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            // NIO splits one receive buffer evenly between the datagrams of a
            // vector read, so each gets a slot of max_frame + 1 bytes (one
            // more than allowed, so an oversized datagram is seen as such).
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: slot.size * slot.count))
            .channelOption(.datagramVectorReadMessageCount, value: slot.count)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramIntakeHandler(intake: intake, sink: sink))
                }
            }
        let channel: any Channel
        if let descriptor {
            // systemd's socket: raised if smaller, never lowered.
            ReceiveBuffer.raise(descriptor, to: receiveBuffer)
            channel = try await bootstrap.withBoundSocket(descriptor).get()
        } else {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer))
            channel = try await bootstrap.bind(host: host, port: port).get()
            // As root (or with CAP_NET_ADMIN), beyond net.core.rmem_max.
            let force = ChannelOptions.Types.SocketOption(level: .socket, name: .init(rawValue: SO_RCVBUFFORCE))
            try? await channel.setOption(force, value: SocketOptionValue(receiveBuffer)).get()
        }
        self.channel.withLock { $0 = channel }
        return channel.localAddress!
    }

    /// Datagrams per vector read and bytes per datagram: up to 64 per read,
    /// within about 1 MiB of receive buffer.
    static func readSlots(maxFrame: Int) -> (size: Int, count: Int) {
        let size = maxFrame + 1
        return (size, max(1, min(64, (1 << 20) / size)))
    }

    public func stop() async {
        let channel = self.channel.withLock { $0 }
        try? await channel?.close()
    }
}

/// Decodes each datagram as it is read and hands the pipeline one batch per
/// read loop (`channelReadComplete`): one queue lock for up to a vector
/// read's worth of datagrams instead of one per datagram.
private final class DatagramIntakeHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let intake: FrameIntake
    let sink: any AlertSink
    private var pending: [Alert] = []
    private var lastPeer: SocketAddress?

    init(intake: FrameIntake, sink: any AlertSink) {
        self.intake = intake
        self.sink = sink
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        lastPeer = envelope.remoteAddress
        intake.decode(envelope.data.readableBytesView, peer: envelope.remoteAddress.displayString, into: &pending)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !pending.isEmpty {
            if !sink.offer(pending) {
                intake.refuse(
                    DecodeError(.overload, "pipeline queue full; datagrams dropped"),
                    peer: lastPeer?.displayString ?? "?", count: pending.count)
            }
            pending.removeAll(keepingCapacity: true)
        }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A bad datagram or ICMP error is never fatal to the listener.
        intake.log.warning("datagram error: \(error)", metadata: ["listener": "\(intake.listener)"])
    }
}
