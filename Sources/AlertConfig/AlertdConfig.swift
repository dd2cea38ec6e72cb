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
    /// `policies:` as configured; severities absent here use
    /// `Policy.embeddedDefault(for:)` (see `policy(for:)`).
    public var policies: [Severity: Policy]
    /// `receivers:` by name, including the embedded `log` receivers the
    /// default policies name when the configuration does not define them.
    public var receivers: [String: ReceiverConfig]
    /// `business_hours:`, or `BusinessHours.default`.
    public var businessHours: BusinessHours
    /// Files this config was read from, in order (empty for the embedded default).
    public var sources: [String]

    public init(
        listeners: [ListenerConfig], limits: Limits = Limits(), defaultSeverity: Severity = .sev3,
        rules: [Rule] = [], incidents: IncidentsConfig = IncidentsConfig(), storage: StorageConfig = StorageConfig(),
        control: ControlConfig = ControlConfig(), log: LogConfig = LogConfig(), policies: [Severity: Policy] = [:],
        receivers: [String: ReceiverConfig] = ReceiverConfig.embeddedDefaults, businessHours: BusinessHours = .default,
        sources: [String] = []
    ) {
        self.listeners = listeners
        self.limits = limits
        self.defaultSeverity = defaultSeverity
        self.rules = rules
        self.incidents = incidents
        self.storage = storage
        self.control = control
        self.log = log
        self.policies = policies
        self.receivers = receivers
        self.businessHours = businessHours
        self.sources = sources
    }

    /// The policy in force for `severity`: configured, else the embedded default.
    public func policy(for severity: Severity) -> Policy { policies[severity] ?? Policy.embeddedDefault(for: severity) }
}

/// One `receivers:` entry: where its pages go, and what happens when they cannot.
public struct ReceiverConfig: Sendable, Equatable {
    public var name: String
    public var channels: [ChannelConfig]
    /// Receiver that gets the page once a channel gives up.
    public var fallback: String?
    /// Retries stop this long after the first attempt (default 24h).
    public var giveUpAfter: TimeInterval
    /// First retry delay, doubling per failure up to `retryMax` (`retry_interval`, default 10s).
    public var retryInterval: TimeInterval
    public var retryMax: TimeInterval

    public init(
        name: String, channels: [ChannelConfig], fallback: String? = nil, giveUpAfter: TimeInterval = 24 * 3600,
        retryInterval: TimeInterval = 10, retryMax: TimeInterval = 15 * 60
    ) {
        self.name = name
        self.channels = channels
        self.fallback = fallback
        self.giveUpAfter = giveUpAfter
        self.retryInterval = retryInterval
        self.retryMax = retryMax
    }

    /// `oncall`, `eng-manager` and `ticket`, each writing pages to the log.
    public static var embeddedDefaults: [String: ReceiverConfig] {
        Dictionary(uniqueKeysWithValues: Policy.embeddedReceiverNames.map { ($0, ReceiverConfig(name: $0, channels: [.log])) })
    }
}

/// One channel of a receiver.
public enum ChannelConfig: Sendable, Equatable {
    case webhook(WebhookConfig)
    case email(EmailConfig)
    case command(CommandConfig)
    case log

    /// `webhook`, `email`, `command` or `log`, for metrics and the timeline.
    public var kind: String {
        switch self {
        case .webhook: return "webhook"
        case .email: return "email"
        case .command: return "command"
        case .log: return "log"
        }
    }
}

public struct WebhookConfig: Sendable, Equatable {
    public enum Format: Sendable, Equatable {
        case generic, slack, alertmanager, pagerduty
        /// A Mustache template file rendering the request body.
        case template(path: String)
    }

    public var url: String
    public var format: Format
    public var timeout: TimeInterval
    /// Extra request headers, in the order written.
    public var headers: [(name: String, value: String)]
    /// File holding the HMAC-SHA256 key for `X-Alertd-Signature`.
    public var hmacSecretFile: String?
    /// `routing_key` for the `pagerduty` format.
    public var routingKey: String?

    public init(
        url: String, format: Format = .generic, timeout: TimeInterval = 5, headers: [(name: String, value: String)] = [],
        hmacSecretFile: String? = nil, routingKey: String? = nil
    ) {
        self.url = url
        self.format = format
        self.timeout = timeout
        self.headers = headers
        self.hmacSecretFile = hmacSecretFile
        self.routingKey = routingKey
    }

    public static func == (a: WebhookConfig, b: WebhookConfig) -> Bool {
        a.url == b.url && a.format == b.format && a.timeout == b.timeout && a.hmacSecretFile == b.hmacSecretFile
            && a.routingKey == b.routingKey && a.headers.map(\.name) == b.headers.map(\.name)
            && a.headers.map(\.value) == b.headers.map(\.value)
    }
}

public struct EmailConfig: Sendable, Equatable {
    /// argv of a sendmail-style command reading the message on stdin (no shell).
    public var command: [String]
    public var to: [String]
    public var from: String
    public var timeout: TimeInterval

    public init(command: [String], to: [String], from: String, timeout: TimeInterval = 30) {
        self.command = command
        self.to = to
        self.from = from
        self.timeout = timeout
    }
}

public struct CommandConfig: Sendable, Equatable {
    /// argv; the incident JSON goes to stdin (no shell, no alert text in arguments).
    public var argv: [String]
    public var timeout: TimeInterval

    public init(argv: [String], timeout: TimeInterval = 30) {
        self.argv = argv
        self.timeout = timeout
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
    /// Alerts received but not yet committed. Beyond it datagrams are
    /// dropped (counted), stream listeners stop reading, HTTP answers 429.
    public var maxQueued: Int = 100_000
    /// HTTP: from a request's first byte until its headers are read.
    public var headerTimeout: TimeInterval = 10
    /// HTTP: from a request's first byte until its body is read.
    public var readTimeout: TimeInterval = 60

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
/// else `./.alertd/alertd.sqlite`. `resident_incidents`: how many open
/// incidents stay in memory once nothing touches them; the rest are read
/// back from the store when an alert, a due step or a command needs them.
public struct StorageConfig: Sendable, Equatable {
    public var sqlitePath: String?
    public var residentIncidents = 20_000

    public init(sqlitePath: String? = nil, residentIncidents: Int = 20_000) {
        self.sqlitePath = sqlitePath
        self.residentIncidents = residentIncidents
    }
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
