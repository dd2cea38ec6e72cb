import NIOCore

/// Closes a connection whose peer sent nothing for `timeout` while alertd
/// was ready to read (`idle_timeout`).
///
/// Not NIO's `IdleStateHandler`: that counts time since the last read, and
/// when alertd itself stops reading (backpressure from a busy pipeline) no
/// reads happen — it would close a client that is sending. Here the clock
/// runs only while a read is outstanding.
final class IdleTimeoutHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let timeout: TimeAmount
    /// When a read was requested with no data since, or nil while reading is paused.
    private var waitingSince: NIODeadline?
    private var check: RepeatedTask?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { schedule(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        schedule(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { check?.cancel() }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        context.fireChannelInactive()
    }

    func read(context: ChannelHandlerContext) {
        if waitingSince == nil { waitingSince = .now() }
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        waitingSince = nil
        context.fireChannelRead(data)
    }

    private func schedule(_ context: ChannelHandlerContext) {
        guard check == nil else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let every = TimeAmount.nanoseconds(max(timeout.nanoseconds / 4, 1_000_000))
        check = context.eventLoop.scheduleRepeatedTask(initialDelay: every, delay: every) { _ in
            let (handler, context) = loopBound.value
            if let since = handler.waitingSince, NIODeadline.now() - since >= handler.timeout {
                context.close(promise: nil)
            }
        }
    }
}
