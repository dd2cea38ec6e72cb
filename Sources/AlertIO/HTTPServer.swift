import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

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

    public init(_ status: HTTPResponseStatus, contentType: String = "application/json", body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// An HTTP/1.1 listener on SwiftNIO's HTTP codec: one task per connection,
/// keep-alive, a body limit answered with 413 before the body is read, and
/// a connection's error never reaching the listener. Routing is the
/// daemon's (`handler`).
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    public let name: String
    private let host: String
    private let port: Int
    private let descriptor: CInt?
    private let maxBody: Int
    private let maxConnections: Int
    private let group: any EventLoopGroup
    private let logger: Logger
    private let handler: Handler
    private let server = Mutex<NIOAsyncChannel<Connection, Never>?>(nil)
    private let active = Atomic<Int>(0)
    private let onRefused: @Sendable () -> Void

    public init(
        name: String, host: String, port: Int, descriptor: CInt? = nil, maxBody: Int, maxConnections: Int,
        group: any EventLoopGroup, logger: Logger, onRefused: @escaping @Sendable () -> Void = {},
        handler: @escaping Handler
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.descriptor = descriptor
        self.maxBody = maxBody
        self.maxConnections = maxConnections
        self.group = group
        self.logger = logger
        self.onRefused = onRefused
        self.handler = handler
    }

    public func bind() async throws -> SocketAddress {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Connection> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                try channel.pipeline.syncOperations.addHandler(IdleTimeoutHandler(timeout: .seconds(60)))
                return try Connection(wrappingChannelSynchronously: channel)
            }
        }
        let channel: NIOAsyncChannel<Connection, Never>
        if let descriptor {
            channel = try await bootstrap.bind(descriptor, childChannelInitializer: initializer)
        } else {
            channel = try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
        }
        server.withLock { $0 = channel }
        return channel.channel.localAddress!
    }

    public func serve() async {
        guard let channel = server.withLock({ $0 }) else { return }
        do {
            try await withThrowingDiscardingTaskGroup { group in
                try await channel.executeThenClose { inbound in
                    for try await connection in inbound {
                        if active.add(1, ordering: .relaxed).newValue > maxConnections {
                            active.subtract(1, ordering: .relaxed)
                            onRefused()
                            try? await connection.channel.close()
                            continue
                        }
                        group.addTask {
                            defer { self.active.subtract(1, ordering: .relaxed) }
                            do { try await self.handle(connection) } catch {
                                self.logger.debug("http connection ended: \(error)", metadata: ["listener": "\(self.name)"])
                            }
                        }
                    }
                }
                group.cancelAll()
            }
        } catch {
            logger.debug("http accept loop ended: \(error)", metadata: ["listener": "\(name)"])
        }
    }

    public func stop() async {
        let channel = server.withLock { $0 }
        try? await channel?.channel.close()
    }

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
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)))
        try await outbound.write(.body(.byteBuffer(ByteBuffer(string: response.body))))
        try await outbound.write(.end(nil))
    }
}
