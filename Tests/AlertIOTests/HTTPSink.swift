import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A real HTTP/1.1 server on 127.0.0.1, port 0, that records every request
/// and answers from a script (then 200 once the script runs out).
final class HTTPSink: Sendable {
    struct Request: Sendable {
        var method: String
        var uri: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        func headers(_ name: String) -> [String] {
            headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }
    }

    enum Reply: Sendable {
        case status(Int, headers: [(String, String)] = [], body: String = "")
        /// Read the request and never answer.
        case silence
        /// Send the response head (promising a body) and nothing more.
        case headOnly(Int)
    }

    private struct State {
        var requests: [Request] = []
        var script: [Reply]
    }

    private let state: Mutex<State>
    private let channel: any Channel
    let port: Int

    var requests: [Request] { state.withLock { $0.requests } }

    private init(channel: any Channel, script: [Reply]) throws {
        self.channel = channel
        state = Mutex(State(script: script))
        port = channel.localAddress!.port!
    }

    static func start(group: any EventLoopGroup, script: [Reply] = []) async throws -> HTTPSink {
        // The handler needs the sink and the sink needs the bound channel: the
        // handler reaches the state through this box.
        let box = SinkBox()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(box: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let sink = try HTTPSink(channel: channel, script: script)
        box.sink.withLock { $0 = sink }
        return sink
    }

    func close() async throws {
        try await channel.close()
    }

    fileprivate func record(_ request: Request) -> Reply {
        state.withLock { state in
            state.requests.append(request)
            return state.script.isEmpty ? .status(200) : state.script.removeFirst()
        }
    }

    fileprivate final class SinkBox: Sendable {
        let sink = Mutex<HTTPSink?>(nil)
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let box: SinkBox
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(box: SinkBox) { self.box = box }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head, let sink = box.sink.withLock({ $0 }) else { return }
                let request = Request(
                    method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) },
                    body: body)
                switch sink.record(request) {
                case .silence:
                    break
                case .headOnly(let code):
                    let responseHead = HTTPResponseHead(
                        version: head.version, status: HTTPResponseStatus(statusCode: code),
                        headers: ["Content-Length": "100"])
                    context.writeAndFlush(wrapOutboundOut(.head(responseHead)), promise: nil)
                case .status(let code, let headers, let text):
                    var responseHeaders = HTTPHeaders(headers)
                    responseHeaders.add(name: "Content-Length", value: String(text.utf8.count))
                    let responseHead = HTTPResponseHead(
                        version: head.version, status: HTTPResponseStatus(statusCode: code), headers: responseHeaders)
                    context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                    context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                }
            }
        }
    }
}
