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
    private var headerDeadline: Scheduled<Void>?
    private var readDeadline: Scheduled<Void>?
    /// The raw side's context: where a 408 is written, below the encoder.
    private var raw: ChannelHandlerContext?

    init(headerTimeout: TimeAmount, readTimeout: TimeAmount, onTimeout: @escaping @Sendable () -> Void) {
        self.headerTimeout = headerTimeout
        self.readTimeout = readTimeout
        self.onTimeout = onTimeout
    }

    /// The handlers to put before and after the HTTP codec.
    func handlers() -> (raw: RawSide, parsed: ParsedSide) { (RawSide(self), ParsedSide(self)) }

    fileprivate func bytesArrived(_ context: ChannelHandlerContext) {
        raw = context
        guard phase == .idle else { return }
        phase = .readingHead
        let loop = NIOLoopBound(self, eventLoop: context.eventLoop)
        headerDeadline = context.eventLoop.scheduleTask(in: headerTimeout) { loop.value.expire(.readingHead) }
        readDeadline = context.eventLoop.scheduleTask(in: readTimeout) { loop.value.expire(.readingBody) }
    }

    fileprivate func headRead() {
        headerDeadline?.cancel()
        headerDeadline = nil
        phase = .readingBody
    }

    fileprivate func requestRead() {
        cancelAll()
        phase = .answering
    }

    fileprivate func answered() { phase = .idle }

    /// The connection is gone: drop the deadlines and the context (which
    /// would otherwise keep this state and its handlers alive in a cycle).
    fileprivate func closed() {
        cancelAll()
        raw = nil
    }

    private func cancelAll() {
        headerDeadline?.cancel()
        readDeadline?.cancel()
        headerDeadline = nil
        readDeadline = nil
    }

    /// Fires for the head deadline in `.readingHead` and the read deadline in
    /// either reading phase; an answered request has cancelled both.
    private func expire(_ during: Phase) {
        guard phase == .readingHead || (during == .readingBody && phase == .readingBody), let raw else { return }
        cancelAll()
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
