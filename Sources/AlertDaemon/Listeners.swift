import AlertConfig
import AlertIO
import AlertStore
import Logging
import NIOCore

/// The configured ingest listeners, bound and ready to serve.
struct Listeners: Sendable {
    let streams: [StreamListener]
    let datagrams: [DatagramListener]
    let unixDatagrams: [UnixDatagramListener]
    let http: [HTTPServer]

    static func bind(
        config: AlertdConfig, inherited: inout InheritedSockets, pipeline: Pipeline, store: any IncidentStore,
        metrics: AlertdMetrics, group: any EventLoopGroup, logger: Logger
    ) async throws -> Listeners {
        let sink: any AlertSink = pipeline
        var http: [HTTPServer] = []
        var streams: [StreamListener] = []
        var datagrams: [DatagramListener] = []
        var unixDatagrams: [UnixDatagramListener] = []
        let limits = config.limits
        for listener in config.listeners {
            let log = Logger(label: "alertd.listener")
            let counters = metrics.listener(listener.name)
            // Socket activation: a socket whose FileDescriptorName= is this
            // listener's name is served instead of binding the address.
            let descriptor = inherited.take(listener.name)
            func stream(_ address: StreamListener.Address) -> StreamListener {
                StreamListener(
                    name: listener.name, address: address, descriptor: descriptor, maxFrame: limits.maxFrame,
                    maxConnections: limits.maxConnections, idleTimeout: limits.idleTimeout, sink: sink,
                    metrics: counters, group: group, logger: log)
            }
            let bound: SocketAddress
            switch listener.kind {
            case .udp(let host, let port):
                let server = DatagramListener(
                    name: listener.name, host: host, port: port, descriptor: descriptor, maxFrame: limits.maxFrame, sink: sink,
                    metrics: counters, group: group, logger: log)
                bound = try await server.start()
                datagrams.append(server)
            case .unixgram(let path, let mode):
                let server = UnixDatagramListener(
                    name: listener.name, path: path, mode: mode, maxFrame: limits.maxFrame, sink: sink,
                    metrics: counters, logger: log)
                bound = try SocketAddress(unixDomainSocketPath: try server.start(descriptor: descriptor))
                unixDatagrams.append(server)
            case .tcp(let host, let port):
                let server = stream(.tcp(host: host, port: port))
                bound = try await server.bind()
                streams.append(server)
            case .unix(let path, let mode):
                let server = stream(.unix(path: path, mode: mode))
                bound = try await server.bind()
                streams.append(server)
            case .http(let host, let port, let tokensFile):
                let api = HTTPAPI(
                    listener: listener.name, pipeline: pipeline, store: store, metrics: metrics, counters: counters,
                    tokens: try HTTPAPI.loadTokens(tokensFile))
                let server = HTTPServer(
                    name: listener.name, host: host, port: port, descriptor: descriptor, limits: limits.http,
                    group: group, logger: log, onRefused: { counters.rejected(.overload, count: 1) },
                    onTimeout: { counters.rejected(.timeout, count: 1) }, handler: api.handle(_:_:))
                bound = try await server.bind()
                http.append(server)
            }
            logger.info(
                "listening on \(bound.displayString)\(descriptor.map { " (socket fd \($0) from systemd)" } ?? "")",
                metadata: ["listener": "\(listener.name)"])
        }
        return Listeners(streams: streams, datagrams: datagrams, unixDatagrams: unixDatagrams, http: http)
    }

    func serve(in tasks: inout DiscardingTaskGroup) {
        for stream in streams { tasks.addTask { await stream.serve() } }
        for server in http { tasks.addTask { await server.serve() } }
    }

    /// Stops accepting; returns once every listener is closed.
    func stop() async {
        for datagram in datagrams { await datagram.stop() }
        for datagram in unixDatagrams { await datagram.stop() }
        for stream in streams { await stream.stop() }
        for server in http { await server.stop() }
    }
}

extension Limits {
    /// What an HTTP listener needs of the limits.
    var http: HTTPLimits {
        func amount(_ seconds: Double) -> TimeAmount { .milliseconds(Int64(seconds * 1000)) }
        return HTTPLimits(
            maxBody: maxBody, maxConnections: maxConnections, idleTimeout: amount(idleTimeout),
            headerTimeout: amount(headerTimeout), readTimeout: amount(readTimeout))
    }
}
