import AlertConfig
import AlertCore
import AlertIO
import AlertStore
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import UnixSignals

/// The daemon's start-up story, in order: config, store, pipeline,
/// listeners (bound, or inherited from systemd), control socket, READY=1;
/// then serve until SIGTERM/SIGINT and stop in reverse order, draining the
/// pipeline so everything received is committed.
public final class Daemon: Sendable {
    public struct Options: Sendable {
        /// nil: `/etc/alertd/alertd.yaml` if it exists, else the embedded default.
        public var configPath: String?
        public var environment: [String: String]
        public var clock: any WallClock

        public init(
            configPath: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
            clock: any WallClock = SystemWallClock()
        ) {
            self.configPath = configPath
            self.environment = environment
            self.clock = clock
        }

        /// The config file in force, or nil for the embedded default.
        public var effectiveConfigPath: String? {
            if let configPath { return configPath }
            return FileManager.default.fileExists(atPath: Daemon.defaultConfigPath) ? Daemon.defaultConfigPath : nil
        }

        /// Loads the configuration, or returns every problem.
        public func loadConfig() -> Result<AlertdConfig, ConfigProblems> {
            guard let path = effectiveConfigPath else { return .success(ConfigLoader.embeddedDefault(environment: environment)) }
            do {
                return .success(try ConfigLoader.load(path: path, environment: environment))
            } catch {
                return .failure(error)
            }
        }
    }

    public static let defaultConfigPath = "/etc/alertd/alertd.yaml"
    /// sysexits.h EX_CONFIG: systemd's `RestartPreventExitStatus=78` stops restart loops on a bad config.
    public static let exitBadConfig: Int32 = 78
    /// How long stopping may wait for connections to finish before the drain.
    static let stopGrace: Duration = .seconds(10)

    private let options: Options
    private let logger: Logger
    private let notifier = SystemdNotifier()

    public init(options: Options, logger: Logger = Logger(label: "alertd")) {
        self.options = options
        self.logger = logger
    }

    /// Runs until a stop signal; returns the process exit status.
    public func run(_ loaded: Result<AlertdConfig, ConfigProblems>? = nil) async -> Int32 {
        let config: AlertdConfig
        switch loaded ?? options.loadConfig() {
        case .success(let value): config = value
        case .failure(let problems):
            for problem in problems.problems { logger.critical("bad configuration: \(problem)") }
            return Self.exitBadConfig
        }
        logger.info("configuration: \(config.sources.isEmpty ? "embedded default" : config.sources.joined(separator: ", "))")
        do {
            return try await serve(config)
        } catch {
            logger.critical("cannot start: \(error)")
            return 1
        }
    }

    private func serve(_ config: AlertdConfig) async throws -> Int32 {
        let paths = RuntimePaths(config: config, environment: options.environment)
        let store = try SQLiteIncidentStore(path: paths.sqlite)
        logger.info("store: \(paths.sqlite)")
        let metrics = AlertdMetrics()
        let pipeline = try Pipeline(
            store: store, classifier: Classifier(rules: config.rules, defaultSeverity: config.defaultSeverity),
            settings: config.incidents.settings, paging: config.pagingPolicy, clock: options.clock, metrics: metrics,
            logger: Logger(label: "alertd.pipeline"), queueCapacity: config.limits.maxQueued,
            residentIncidents: config.storage.residentIncidents)
        pipeline.start()

        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let http = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: .init(redirectConfiguration: .disallow))
        let factory = ChannelFactory(http: http, logger: Logger(label: "alertd.notify"))
        let status = StatusReporter(pipeline: pipeline, store: store, metrics: metrics)
        let dispatcher: Dispatcher
        let paging: PagingRuntime
        let listeners: Listeners
        let control: ControlServer
        do {
            dispatcher = Dispatcher(
                store: store, pipeline: pipeline, channels: try factory.channels(for: config.receivers), clock: options.clock,
                logger: Logger(label: "alertd.dispatcher"))
            pipeline.onPagesQueued { dispatcher.wake() }
            var inherited = InheritedSockets.fromEnvironment()
            listeners = try await Listeners.bind(
                config: config, inherited: &inherited, pipeline: pipeline, store: store, metrics: metrics, group: group,
                logger: logger)
            for (name, fd) in inherited.leftovers {
                logger.warning("inherited socket \"\(name)\" (fd \(fd)) matches no listener name; ignored")
            }
            paging = PagingRuntime(pipeline: pipeline, dispatcher: dispatcher, factory: factory)
            control = ControlServer(
                path: paths.controlSocket, mode: config.control.mode, group: group,
                logger: Logger(label: "alertd.control"),
                handler: ControlService(
                    pipeline: pipeline, store: store, metrics: metrics, startedAt: Date(),
                    reload: { await self.reload(paging, running: config, status: status) }
                ).handle)
            try await control.bind()
        } catch {
            // A port in use, a socket path that cannot be bound: the error
            // is reported by the caller. The HTTP client must be shut down
            // first (it traps when dropped running).
            try? await http.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        logger.info("control socket: \(paths.controlSocket)")
        // Trap signals before READY=1: a SIGTERM sent the moment systemd
        // sees us ready must drain, not kill.
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint, .sighup)
        notifier.ready(status: status.line())
        logger.info("ready")

        await withDiscardingTaskGroup { tasks in
            listeners.serve(in: &tasks)
            tasks.addTask { await control.serve() }
            tasks.addTask { await status.run(notifier: self.notifier) }
            tasks.addTask { await dispatcher.run() }
            tasks.addTask { await Self.escalationCycle(pipeline) }
            if let interval = SystemdNotifier.watchdogInterval() {
                tasks.addTask { await Watchdog(pipeline: pipeline, interval: interval, logger: self.logger).run(notifier: self.notifier) }
            }
            await waitForStop(signals, paging, running: config, status: status)
            notifier.stopping()
            logger.info("stopping: closing listeners, then committing what was received")
            await withTaskGroup(of: Void.self) { stop in
                stop.addTask {
                    await listeners.stop()
                    await control.stop()
                }
                stop.addTask { try? await Task.sleep(for: Self.stopGrace) }
                await stop.next()
                stop.cancelAll()
            }
            tasks.cancelAll()
        }
        await pipeline.drainAndStop()
        try? await http.shutdown()
        try? await group.shutdownGracefully()
        logger.info("stopped")
        return 0
    }

    /// The escalation cycle: due steps, response-target breaches and
    /// status-update reminders are checked every second.
    private static func escalationCycle(_ pipeline: Pipeline) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(1)) } catch { return }
            pipeline.tick()
        }
    }

    /// Waits for SIGTERM or SIGINT; SIGHUP reloads the configuration.
    private func waitForStop(
        _ signals: UnixSignalsSequence, _ paging: PagingRuntime, running: AlertdConfig, status: StatusReporter
    ) async {
        for await signal in signals {
            if signal == .sighup {
                _ = await reload(paging, running: running, status: status)
                continue
            }
            logger.info("received \(signal)")
            return
        }
    }

    /// Re-reads config and rules and applies them atomically only if valid,
    /// between `RELOADING=1` and `READY=1`. Returns the problems when
    /// refused. Listener, storage, control and log changes need a restart.
    func reload(_ paging: PagingRuntime, running: AlertdConfig, status: StatusReporter) async -> String? {
        notifier.reloading()
        defer { notifier.ready(status: status.line()) }
        switch options.loadConfig() {
        case .failure(let problems):
            for problem in problems.problems {
                logger.error("reload refused, old configuration stays: \(problem)", metadata: [AlertdEvent.configRefused.metadata.0: AlertdEvent.configRefused.metadata.1])
            }
            return problems.description
        case .success(let config):
            let channels: [String: [Channel]]
            do {
                channels = try paging.factory.channels(for: config.receivers)
            } catch {
                logger.error("reload refused, old configuration stays: \(error)", metadata: [AlertdEvent.configRefused.metadata.0: AlertdEvent.configRefused.metadata.1])
                return "\(error)"
            }
            await paging.pipeline.reconfigure(
                Classifier(rules: config.rules, defaultSeverity: config.defaultSeverity), config.incidents.settings,
                config.pagingPolicy)
            paging.dispatcher.replaceChannels(channels)
            if config.listeners != running.listeners || config.storage != running.storage
                || config.control != running.control || config.log != running.log || config.limits != running.limits
            {
                logger.warning("listen, limits, storage, control and log changes take effect only after a restart")
            }
            logger.notice("reloaded: \(config.rules.count) rules", metadata: [AlertdEvent.configReloaded.metadata.0: AlertdEvent.configReloaded.metadata.1])
            return nil
        }
    }
}

/// What a reload swaps: the pipeline's rules and policies, the dispatcher's channels.
struct PagingRuntime: Sendable {
    let pipeline: Pipeline
    let dispatcher: Dispatcher
    let factory: ChannelFactory
}
