import AlertCore
import Foundation

/// A rule and where it was written, so a duplicate name can point at both.
struct LocatedRule {
    var rule: Rule
    var file: String
    var path: String
    var line: Int?
    var column: Int?
}

/// What one file contributes to the configuration. The main file may set
/// everything; a `rules.d` file only rules. Each section has its own small
/// reader function (`ConfigDocument+Listen`, `+Rules`, `+Settings`).
struct ConfigDocument {
    /// nil when the file has no `listen:` (the embedded default applies).
    var listeners: [ListenerConfig]?
    var limits = Limits()
    var defaultSeverity: Severity = .sev3
    var rules: [LocatedRule] = []
    var incidents = IncidentsConfig()
    var storage = StorageConfig()
    var control = ControlConfig()
    var log = LogConfig()

    static let mainKeys = [
        "listen", "limits", "default_severity", "rules", "incidents", "storage", "control", "log",
    ]
    /// Keys of SPEC features still to come; named as such, not as typos.
    static let laterFeatureKeys = [
        "policies", "receivers", "business_hours", "maintenance", "inhibit", "heartbeats", "status_page",
    ]

    /// Reads the main file (`alertd.yaml`).
    static func main(_ root: ConfigReader) -> ConfigDocument {
        var document = ConfigDocument()
        guard let top = root.mapping(allowedKeys: mainKeys, unsupportedKeys: laterFeatureKeys) else {
            return document
        }
        if let listen = top["listen"] { document.listeners = listeners(listen) }
        if let node = top["limits"] { document.limits = limits(node) }
        if let node = top["default_severity"], let severity = node.severity() { document.defaultSeverity = severity }
        if let node = top["rules"] { document.rules = rules(node) }
        if let node = top["incidents"] { document.incidents = incidents(node) }
        if let node = top["storage"] { document.storage = storage(node) }
        if let node = top["control"] { document.control = control(node) }
        if let node = top["log"] { document.log = log(node) }
        return document
    }

    /// Reads a `rules.d/*.yaml` file, which may hold only `rules:`.
    static func ruleFile(_ root: ConfigReader) -> [LocatedRule] {
        var misplaced: [String: String] = [:]
        for key in mainKeys + laterFeatureKeys where key != "rules" {
            misplaced[key] =
                "`\(key)` belongs in the main config file (alertd.yaml); files in rules.d may contain only `rules:`"
        }
        guard let top = root.mapping(allowedKeys: ["rules"], misplacedKeys: misplaced) else { return [] }
        return top["rules"].map(rules) ?? []
    }
}
