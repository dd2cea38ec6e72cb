import NIOCore
import NIOHTTP1

/// Reads one request at a time (NIO's pipelining handler holds the next
/// until this one is answered), hands it to the daemon's handler, and writes
/// the answer when the responder is called.
final class HTTPExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let maxBody: Int
    private let handler: HTTPServer.Handler
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var tooLarge = false

    init(maxBody: Int, handler: @escaping HTTPServer.Handler) {
        self.maxBody = maxBody
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = context.channel.allocator.buffer(capacity: 0)
            tooLarge = (requestHead.headers.first(name: "content-length").flatMap(Int.init) ?? 0) > maxBody
        case .body(var chunk):
            if body.readableBytes + chunk.readableBytes > maxBody {
                tooLarge = true
            } else if !tooLarge {
                body.writeBuffer(&chunk)
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            if tooLarge {
                let response = HTTPResponse(
                    .payloadTooLarge, body: #"{"error":"request body exceeds max_body (\#(maxBody) bytes)"}"#)
                Self.write(response, keepAlive: false, context: context)
                return
            }
            let target = requestHead.uri.split(separator: "?", maxSplits: 1)
            let request = HTTPRequest(
                method: requestHead.method, path: String(target.first ?? ""),
                query: target.count > 1 ? String(target[1]) : nil, headers: requestHead.headers, body: body)
            body = ByteBuffer()
            let keepAlive = requestHead.isKeepAlive
            let loop = context.eventLoop
            let bound = NIOLoopBound(context, eventLoop: loop)
            handler(request, HTTPResponder { make in
                EventLoopHandOff.execute(on: loop) { Self.write(make(), keepAlive: keepAlive, context: bound.value) }
            })
        }
    }

    private static func write(_ response: HTTPResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        headers.reserveCapacity(3 + response.headers.count)
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.utf8.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        for header in response.headers { headers.add(name: header.name, value: header.value) }
        context.write(
            NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))),
            promise: nil)
        if !response.body.isEmpty {
            context.write(
                NIOAny(HTTPServerResponsePart.body(.byteBuffer(context.channel.allocator.buffer(string: response.body)))),
                promise: nil)
        }
        let written = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
        if !keepAlive { written.whenComplete { _ in context.close(promise: nil) } }
    }
}
