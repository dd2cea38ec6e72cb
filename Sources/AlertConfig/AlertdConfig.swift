import AlertCore
import Foundation

/// The validated configuration: `alertd.yaml` plus `rules.d/*.yaml`
/// (SPEC §1–§4). Produced by `ConfigLoader`; every field has its default.
public struct AlertdConfig: Sendable {
    public var listeners: [ListenerConfig]
    public var limits: Limits
    public var defaultSeverity: Severity
    public var rules: [Rule]
    public var incidents: IncidentsConfig
    public var storage: StorageConfig
    public var control: ControlConfig
    public var log: LogConfig
    /// Files this config was read from, in order (empty for the embedded default).
    public var sources: [String]

    public init(
        listeners: [ListenerConfig], limits: Limits = Limits(), defaultSeverity: Severity = .sev3,
        rules: [Rule] = [], incidents: IncidentsConfig = IncidentsConfig(), storage: StorageConfig = StorageConfig(),
        control: ControlConfig = ControlConfig(), log: LogConfig = LogConfig(), sources: [String] = []
    ) {
        self.listeners = listeners
        self.limits = limits
        self.defaultSeverity = defaultSeverity
        self.rules = rules
        self.incidents = incidents
        self.storage = storage
        self.control = control
        self.log = log
        self.sources = sources
    }
}

/// One `listen:` entry.
public struct ListenerConfig: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case udp(host: String, port: Int)
        case tcp(host: String, port: Int)
        /// A Unix stream socket; `mode` is applied to the socket file.
        case unix(path: String, mode: UInt32)
        case unixgram(path: String, mode: UInt32)
        case http(host: String, port: Int, tokensFile: String?)
    }

    /// Unique; matches a systemd socket's `FileDescriptorName=`.
    public var name: String
    public var kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// `limits:` (SPEC §2).
public struct Limits: Sendable, Equatable {
    public var maxFrame: Int = 64 * 1024
    public var maxBody: Int = 8 * 1024 * 1024
    public var maxConnections: Int = 1024
    public var idleTimeout: TimeInterval = 5 * 60

    public init() {}
}

/// `incidents:` (SPEC §4). `flap` and `storm` are read and validated now;
/// the stages that use them come later.
public struct IncidentsConfig: Sendable, Equatable {
    public var autoResolve = true
    public var reopenWithin: TimeInterval = 15 * 60
    public var flapMaxChanges = 6
    public var flapWindow: TimeInterval = 60 * 60
    public var stormMaxNewIncidents = 50
    public var stormWindow: TimeInterval = 60

    public init() {}

    public var settings: IncidentSettings { IncidentSettings(autoResolve: autoResolve, reopenWithin: reopenWithin) }
}

/// `storage:`. The SQLite path defaults to `$STATE_DIRECTORY/alertd.sqlite`,
/// else `./.alertd/alertd.sqlite`.
public struct StorageConfig: Sendable, Equatable {
    public var sqlitePath: String?

    public init(sqlitePath: String? = nil) { self.sqlitePath = sqlitePath }
}

/// `control:`: the admin socket alertctl talks to. Defaults to
/// `$RUNTIME_DIRECTORY/control.sock`, else `./.alertd/control.sock`, mode 0660.
public struct ControlConfig: Sendable, Equatable {
    public var socketPath: String?
    public var mode: UInt32 = 0o660

    public init(socketPath: String? = nil, mode: UInt32 = 0o660) {
        self.socketPath = socketPath
        self.mode = mode
    }
}

/// `log:`.
public struct LogConfig: Sendable, Equatable {
    public enum Level: String, Sendable, CaseIterable { case trace, debug, info, notice, warning, error, critical }
    public enum Target: String, Sendable, CaseIterable { case auto, journal, stderr }

    public var level: Level = .info
    public var target: Target = .auto

    public init() {}
}
