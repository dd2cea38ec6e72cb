import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP request, read whole (body bounded by `max_body`).
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var path: String
    public var query: String?
    public var headers: HTTPHeaders
    public var body: ByteBuffer
}

/// One HTTP response.
public struct HTTPResponse: Sendable {
    public var status: HTTPResponseStatus
    public var contentType: String
    public var body: String
    /// Further headers, e.g. `Retry-After`.
    public var headers: [(name: String, value: String)]

    public init(
        _ status: HTTPResponseStatus, contentType: String = "application/json", body: String,
        headers: [(name: String, value: String)] = []
    ) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }
}

/// An HTTP listener's limits (`limits:` in the config).
public struct HTTPLimits: Sendable {
    public var maxBody: Int
    public var maxConnections: Int
    public var idleTimeout: TimeAmount
    public var headerTimeout: TimeAmount
    public var readTimeout: TimeAmount

    public init(
        maxBody: Int, maxConnections: Int, idleTimeout: TimeAmount, headerTimeout: TimeAmount, readTimeout: TimeAmount
    ) {
        self.maxBody = maxBody
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.readTimeout = readTimeout
    }
}

/// An HTTP/1.1 listener on SwiftNIO's HTTP codec, on the shared
/// `StreamServer` accept loop: keep-alive, a body limit answered with 413,
/// header and read deadlines answered with 408 (`HTTPRequestDeadlines`),
/// and a connection's error never reaching the listener. Routing is the
/// daemon's (`handler`).
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    public let name: String
    private let server: StreamServer<HTTPServerRequestPart, HTTPServerResponsePart>
    private let maxBody: Int
    private let handler: Handler

    public init(
        name: String, host: String, port: Int, descriptor: CInt? = nil, limits: HTTPLimits,
        group: any EventLoopGroup, logger: Logger, onRefused: @escaping @Sendable () -> Void = {},
        onTimeout: @escaping @Sendable () -> Void = {}, handler: @escaping Handler
    ) {
        self.name = name
        maxBody = limits.maxBody
        self.handler = handler
        server = StreamServer(
            name: name, address: .inet(host: host, port: port), descriptor: descriptor,
            maxConnections: limits.maxConnections, group: group, logger: logger, onRefused: onRefused,
            configure: { pipeline in
                let deadlines = HTTPRequestDeadlines(
                    headerTimeout: limits.headerTimeout, readTimeout: limits.readTimeout, onTimeout: onTimeout
                ).handlers()
                try pipeline.addHandler(deadlines.raw)
                try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                try pipeline.addHandlers(deadlines.parsed, IdleTimeoutHandler(timeout: limits.idleTimeout))
            })
    }

    public func bind() async throws -> SocketAddress { try await server.bind() }

    public func serve() async { await server.serve { try await self.handle($0) } }

    public func stop() async { await server.stop() }

    private func handle(_ connection: Connection) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            var tooLarge = false
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body.clear()
                    tooLarge = (requestHead.headers.first(name: "content-length").flatMap(Int.init) ?? 0) > maxBody
                case .body(var chunk):
                    if body.readableBytes + chunk.readableBytes > maxBody { tooLarge = true } else if !tooLarge { body.writeBuffer(&chunk) }
                case .end:
                    guard let requestHead = head else { continue }
                    let response: HTTPResponse
                    if tooLarge {
                        response = HTTPResponse(
                            .payloadTooLarge, body: #"{"error":"request body exceeds max_body (\#(maxBody) bytes)"}"#)
                    } else {
                        let target = requestHead.uri.split(separator: "?", maxSplits: 1)
                        response = await handler(
                            HTTPRequest(
                                method: requestHead.method, path: String(target.first ?? ""),
                                query: target.count > 1 ? String(target[1]) : nil, headers: requestHead.headers, body: body))
                    }
                    try await write(response, keepAlive: requestHead.isKeepAlive && !tooLarge, to: outbound)
                    if !requestHead.isKeepAlive || tooLarge { return }
                    head = nil
                }
            }
        }
    }

    private func write(
        _ response: HTTPResponse, keepAlive: Bool, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.utf8.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        for header in response.headers { headers.add(name: header.name, value: header.value) }
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)))
        try await outbound.write(.body(.byteBuffer(ByteBuffer(string: response.body))))
        try await outbound.write(.end(nil))
    }
}
