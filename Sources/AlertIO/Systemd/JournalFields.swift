import AlertCore
import Logging

/// How alertd's log events become journal fields (SPEC §8), shared by the
/// journal handler and its tests.
public enum JournalFields {
    /// A swift-log metadata key as a journal field name: upper case,
    /// `[A-Z0-9_]` only, not starting with `_` (journald silently drops
    /// other names, and `_` fields are trusted ones only journald may set).
    public static func fieldName(_ key: String) -> String {
        var name = ""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z": name.unicodeScalars.append(Unicode.Scalar(scalar.value - 32)!)
            case "A"..."Z", "0"..."9": name.unicodeScalars.append(scalar)
            default: name.append("_")
            }
        }
        while name.hasPrefix("_") { name.removeFirst() }
        if let first = name.first, first.isNumber { name = "F" + name }
        return name.isEmpty ? "FIELD" : String(name.prefix(64))
    }

    /// syslog priority: an incident's severity decides when the event has
    /// one (SEV1 crit … SEV4 notice); otherwise the log level.
    public static func priority(level: Logger.Level, severity: String?) -> Int {
        if let severity, let parsed = Severity(parsing: severity) {
            switch parsed {
            case .sev1: return 2
            case .sev2: return 3
            case .sev3: return 4
            case .sev4: return 5
            }
        }
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// Metadata flattened to text.
    public static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let value): return value.description
        case .array(let values): return values.map(text).joined(separator: ",")
        case .dictionary(let values): return values.sorted { $0.key < $1.key }.map { "\($0.key)=\(text($0.value))" }.joined(separator: ",")
        }
    }
}

/// Event kinds with a fixed `MESSAGE_ID`, so `journalctl MESSAGE_ID=…` finds
/// every event of a kind and `journalctl -x` explains it from
/// `systemd/alertd.catalog`.
public enum AlertdEvent: String, Sendable, CaseIterable {
    case incidentOpened = "a3f1c2d4e5b64f7a8c9d0e1f2a3b4c51"
    case incidentReopened = "a3f1c2d4e5b64f7a8c9d0e1f2a3b4c52"
    case incidentResolved = "a3f1c2d4e5b64f7a8c9d0e1f2a3b4c53"
    case incidentAcknowledged = "a3f1c2d4e5b64f7a8c9d0e1f2a3b4c54"
    case severityChanged = "a3f1c2d4e5b64f7a8c9d0e1f2a3b4c55"
    case inputRefused = "a3f1c2d4e5b64f7a8c9d0e1f2a3b4c56"
    case configReloaded = "a3f1c2d4e5b64f7a8c9d0e1f2a3b4c57"
    case configRefused = "a3f1c2d4e5b64f7a8c9d0e1f2a3b4c58"

    /// The metadata entry that tags a log call with this event.
    public var metadata: (String, Logger.MetadataValue) { ("message_id", .string(rawValue)) }
}
