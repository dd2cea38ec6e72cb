import NIOCore
import NIOHTTP1

/// Deadlines for reading one HTTP request (`limits.header_timeout`,
/// `limits.read_timeout`), so a client that trickles its headers or body
/// (slowloris) cannot hold a connection slot for long. Both clocks start at
/// the request's first byte, as Go's `ReadHeaderTimeout`/`ReadTimeout` do;
/// the wait between keep-alive requests is `idle_timeout`'s business. When
/// one expires the client gets `408` and the connection is closed.
///
/// Two handlers share one state on the connection's event loop: the raw side
/// sits before the HTTP decoder (it sees the first byte), the parsed side
/// after it (it sees the head and the end of the request, and the end of the
/// answer).
final class HTTPRequestDeadlines {
    enum Phase { case idle, readingHead, readingBody, answering }

    private let headerTimeout: TimeAmount
    private let readTimeout: TimeAmount
    private let onTimeout: @Sendable () -> Void
    private var phase = Phase.idle
    /// When the request being read sent its first byte.
    private var started = NIODeadline.uptimeNanoseconds(0)
    /// At most one timer per connection, kept across keep-alive requests:
    /// when it fires it compares the clock with the current request's
    /// deadline and sets itself again if that is later. Scheduling and
    /// cancelling two timers per request was ~10% of an event loop's CPU
    /// for one-alert requests (docs/benchmarks.md).
    private var timer: Scheduled<Void>?
    private var timerAt = NIODeadline.distantFuture
    /// The raw side's context: where a 408 is written, below the encoder.
    private var raw: ChannelHandlerContext?

    init(headerTimeout: TimeAmount, readTimeout: TimeAmount, onTimeout: @escaping @Sendable () -> Void) {
        self.headerTimeout = headerTimeout
        self.readTimeout = readTimeout
        self.onTimeout = onTimeout
    }

    /// The handlers to put before and after the HTTP codec.
    func handlers() -> (raw: RawSide, parsed: ParsedSide) { (RawSide(self), ParsedSide(self)) }

    /// When the request being read runs out of time, if one is being read.
    private var deadline: NIODeadline? {
        switch phase {
        case .readingHead: return started + min(headerTimeout, readTimeout)
        case .readingBody: return started + readTimeout
        case .idle, .answering: return nil
        }
    }

    fileprivate func bytesArrived(_ context: ChannelHandlerContext) {
        raw = context
        guard phase == .idle else { return }
        phase = .readingHead
        started = .now()
        if let deadline { arm(at: deadline, on: context.eventLoop) }
    }

    fileprivate func headRead() { phase = .readingBody }

    fileprivate func requestRead() { phase = .answering }

    fileprivate func answered() { phase = .idle }

    /// The connection is gone: drop the timer and the context (which would
    /// otherwise keep this state and its handlers alive in a cycle).
    fileprivate func closed() {
        timer?.cancel()
        timer = nil
        raw = nil
    }

    /// Makes sure the timer fires no later than `deadline`. A timer already
    /// set earlier is kept: it will find the later deadline and set itself again.
    private func arm(at deadline: NIODeadline, on loop: any EventLoop) {
        if timer != nil && timerAt <= deadline { return }
        timer?.cancel()
        timerAt = deadline
        let bound = NIOLoopBound(self, eventLoop: loop)
        timer = loop.scheduleTask(deadline: deadline) { bound.value.fired(on: loop) }
    }

    private func fired(on loop: any EventLoop) {
        timer = nil
        timerAt = .distantFuture
        guard let deadline else { return }
        if NIODeadline.now() >= deadline { expire() } else { arm(at: deadline, on: loop) }
    }

    /// The request being read ran out of time: 408, then close.
    private func expire() {
        guard let raw else { return }
        phase = .answering
        onTimeout()
        var answer = raw.channel.allocator.buffer(capacity: 96)
        answer.writeString("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        raw.writeAndFlush(NIOAny(IOData.byteBuffer(answer))).whenComplete { _ in raw.close(promise: nil) }
    }

    /// Before the decoder: notices a request's first byte.
    final class RawSide: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private let deadlines: HTTPRequestDeadlines
        fileprivate init(_ deadlines: HTTPRequestDeadlines) { self.deadlines = deadlines }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            deadlines.bytesArrived(context)
            context.fireChannelRead(data)
        }

        func channelInactive(context: ChannelHandlerContext) {
            deadlines.closed()
            context.fireChannelInactive()
        }
    }

    /// After the decoder: notices the head, the end of the request, and the
    /// end of the answer.
    final class ParsedSide: ChannelDuplexHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundIn = HTTPServerResponsePart
        private let deadlines: HTTPRequestDeadlines
        fileprivate init(_ deadlines: HTTPRequestDeadlines) { self.deadlines = deadlines }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head: deadlines.headRead()
            case .body: break
            case .end: deadlines.requestRead()
            }
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if case .end = unwrapOutboundIn(data) { deadlines.answered() }
            context.write(data, promise: promise)
        }
    }
}
