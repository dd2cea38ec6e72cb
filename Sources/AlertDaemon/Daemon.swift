import AlertConfig
import AlertCore
import AlertIO
import AlertStore
import Foundation
import Logging
import NIOCore
import NIOPosix
import UnixSignals

/// The daemon's start-up story, in order: config, store, pipeline,
/// listeners, control socket; then serve until SIGTERM/SIGINT and stop in
/// reverse order, draining the pipeline so everything received is committed.
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
    }

    public static let defaultConfigPath = "/etc/alertd/alertd.yaml"
    /// sysexits.h EX_CONFIG: systemd's `RestartPreventExitStatus=78` stops restart loops on a bad config.
    public static let exitBadConfig: Int32 = 78

    private let options: Options
    private let logger: Logger

    public init(options: Options, logger: Logger = Logger(label: "alertd")) {
        self.options = options
        self.logger = logger
    }

    /// The config file in force, or nil for the embedded default.
    var effectiveConfigPath: String? {
        if let path = options.configPath { return path }
        return FileManager.default.fileExists(atPath: Self.defaultConfigPath) ? Self.defaultConfigPath : nil
    }

    /// Loads the configuration or returns its problems, one per line.
    func loadConfig() -> Result<AlertdConfig, ConfigProblems> {
        guard let path = effectiveConfigPath else { return .success(ConfigLoader.embeddedDefault(environment: options.environment)) }
        do {
            return .success(try ConfigLoader.load(path: path, environment: options.environment))
        } catch {
            return .failure(error)
        }
    }

    /// Runs until a stop signal; returns the process exit status.
    public func run() async -> Int32 {
        let config: AlertdConfig
        switch loadConfig() {
        case .success(let loaded): config = loaded
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
            settings: config.incidents.settings, clock: options.clock, metrics: metrics,
            logger: Logger(label: "alertd.pipeline"))
        pipeline.start()

        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let listeners = try await Listeners.bind(
            config: config, sink: pipeline, metrics: metrics, group: group, logger: logger)
        let control = ControlServer(
            path: paths.controlSocket, mode: config.control.mode, group: group,
            logger: Logger(label: "alertd.control"),
            handler: ControlService(
                pipeline: pipeline, store: store, metrics: metrics, startedAt: Date(),
                reload: { await self.reload(pipeline: pipeline, running: config) }
            ).handle)
        try await control.bind()
        logger.info("control socket: \(paths.controlSocket)")
        logger.info("ready")

        await withDiscardingTaskGroup { tasks in
            listeners.serve(in: &tasks)
            tasks.addTask { await control.serve() }
            await waitForStop(pipeline: pipeline, running: config)
            logger.info("stopping: closing listeners, then committing what was received")
            await listeners.stop()
            await control.stop()
        }
        await pipeline.drainAndStop()
        try? await group.shutdownGracefully()
        logger.info("stopped")
        return 0
    }

    /// Waits for SIGTERM or SIGINT; SIGHUP reloads the configuration.
    private func waitForStop(pipeline: Pipeline, running: AlertdConfig) async {
        for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint, .sighup) {
            if signal == .sighup {
                _ = await reload(pipeline: pipeline, running: running)
                continue
            }
            logger.info("received \(signal)")
            return
        }
    }

    /// Re-reads config and rules; applies them atomically only if valid.
    /// Returns the problems when refused. Listener, storage and control
    /// changes need a restart (logged).
    func reload(pipeline: Pipeline, running: AlertdConfig) async -> String? {
        switch loadConfig() {
        case .failure(let problems):
            for problem in problems.problems { logger.error("reload refused, old configuration stays: \(problem)") }
            return problems.description
        case .success(let config):
            pipeline.reconfigure(
                Classifier(rules: config.rules, defaultSeverity: config.defaultSeverity), config.incidents.settings)
            if config.listeners != running.listeners || config.storage != running.storage || config.control != running.control {
                logger.warning("listen, storage and control changes take effect only after a restart")
            }
            logger.info("reloaded: \(config.rules.count) rules")
            return nil
        }
    }
}
