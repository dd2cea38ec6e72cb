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

/// Answers one request; call `respond` exactly once, from any thread. The
/// answer is built and written on the connection's event loop.
public struct HTTPResponder: Sendable {
    let answer: @Sendable (@escaping @Sendable () -> HTTPResponse) -> Void

    /// Answers with `response`.
    public func respond(_ response: HTTPResponse) { answer { response } }

    /// Answers with what `make` builds, running it on the event loop (so a
    /// caller on a busy thread, like the pipeline's, hands the work over).
    public func respond(building make: @escaping @Sendable () -> HTTPResponse) { answer(make) }
}

/// An HTTP/1.1 listener on SwiftNIO's HTTP codec, on the shared
/// `StreamServer` accept loop: keep-alive, a body limit answered with 413,
/// header and read deadlines answered with 408 (`HTTPRequestDeadlines`),
/// and a connection's error never reaching the listener. Routing is the
/// daemon's (`handler`).
///
/// Requests are read and answered by a channel handler on the connection's
/// event loop, not through an async sequence: the handler gets the request
/// and a responder, and an ingest request goes from the event loop to the
/// pipeline and straight back (two thread hand-offs per request, where an
/// async task per request cost four; on this path they were the main cost
/// of a one-alert request).
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequest, HTTPResponder) -> Void

    public let name: String
    private let server: StreamServer<HTTPServerRequestPart, HTTPServerResponsePart>

    public init(
        name: String, host: String, port: Int, descriptor: CInt? = nil, limits: HTTPLimits,
        group: any EventLoopGroup, logger: Logger, onRefused: @escaping @Sendable () -> Void = {},
        onTimeout: @escaping @Sendable () -> Void = {}, handler: @escaping Handler
    ) {
        self.name = name
        server = StreamServer(
            name: name, address: .inet(host: host, port: port), descriptor: descriptor,
            maxConnections: limits.maxConnections, group: group, logger: logger, onRefused: onRefused,
            configure: { pipeline in
                let deadlines = HTTPRequestDeadlines(
                    headerTimeout: limits.headerTimeout, readTimeout: limits.readTimeout, onTimeout: onTimeout
                ).handlers()
                try pipeline.addHandler(deadlines.raw)
                try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                try pipeline.addHandlers(
                    deadlines.parsed, IdleTimeoutHandler(timeout: limits.idleTimeout),
                    HTTPExchangeHandler(maxBody: limits.maxBody, handler: handler))
            })
    }

    public func bind() async throws -> SocketAddress { try await server.bind() }

    /// The exchange handler does the work; a connection's task only holds
    /// its slot until the connection closes (and closes it on shutdown).
    public func serve() async {
        await server.serve { connection in
            try await connection.executeThenClose { inbound, _ in
                for try await _ in inbound {}
            }
        }
    }

    public func stop() async { await server.stop() }
}
