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
/// reader function (`ConfigDocument+Listen`, `+Rules`, `+Settings`,
/// `+Paging`, `+Receivers`, `+Channels`).
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
    /// Only the severities the file configures; `AlertdConfig.policy(for:)`
    /// supplies the embedded defaults for the rest.
    var policies: [Severity: Policy] = [:]
    /// The embedded `log` receivers, replaced by any the file defines.
    var receivers = ReceiverConfig.embeddedDefaults
    var businessHours = BusinessHours.default

    static let mainKeys = [
        "listen", "limits", "default_severity", "rules", "incidents", "storage", "control", "log",
        "policies", "business_hours", "receivers",
    ]
    /// Keys of SPEC features still to come; named as such, not as typos.
    static let laterFeatureKeys = ["maintenance", "inhibit", "heartbeats", "status_page"]

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
        // Names written under `receivers:` count as defined even when their
        // entry has a problem, so a policy naming one gets no second report.
        let receiverNames = Set(Policy.embeddedReceiverNames + definedReceiverNames(top["receivers"]))
        if let node = top["policies"] { document.policies = policies(node, receiverNames: receiverNames) }
        if let node = top["business_hours"] { document.businessHours = businessHours(node) }
        if let node = top["receivers"] { document.receivers = receivers(node, receiverNames: receiverNames) }
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
