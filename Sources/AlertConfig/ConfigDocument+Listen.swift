import Yams

/// `listen:` (SPEC §2): one entry per socket, each with a unique name and
/// exactly one address key.
extension ConfigDocument {
    static let listenerKinds = ["udp", "tcp", "unix", "unixgram", "http"]
    static let listenerKeys = ["name"] + listenerKinds + ["mode", "tokens_file"]

    static func listeners(_ reader: ConfigReader) -> [ListenerConfig] {
        guard let entries = reader.list() else { return [] }
        if entries.isEmpty {
            reader.report("no listeners; list at least one, or remove `listen:` to use the defaults")
        }
        var listeners: [ListenerConfig] = []
        var firstUse: [String: ConfigReader] = [:]
        for entry in entries {
            guard let found = listener(entry) else { continue }
            let (config, nameReader) = found
            if let earlier = firstUse[config.name] {
                nameReader.report(
                    "listener name \"\(config.name)\" is already used by \(earlier.path)"
                        + "\(earlier.mark.map { " (line \($0.line))" } ?? ""); names must be unique")
                continue
            }
            firstUse[config.name] = entry
            listeners.append(config)
        }
        return listeners
    }

    /// One `listen:` entry, with the reader of its name for duplicate reports.
    static func listener(_ reader: ConfigReader) -> (ListenerConfig, ConfigReader)? {
        guard
            let entry = reader.mapping(allowedKeys: listenerKeys, unsupportedKeys: ["status_page"])
        else { return nil }
        let nameReader = entry.required("name", example: "name: ingest-udp")
        let name = nameReader.flatMap(listenerName)
        let kind = listenerKind(entry)
        guard let name, let nameReader, let kind else { return nil }
        return (ListenerConfig(name: name, kind: kind), nameReader)
    }

    static func listenerName(_ reader: ConfigReader) -> String? {
        guard let name = reader.string() else { return nil }
        guard ValueSyntax.isListenerName(name) else {
            reader.report("\"\(name)\" is not a listener name; use letters, digits, _, . and -")
            return nil
        }
        return name
    }

    /// The one address key of an entry, with the options that belong to it.
    static func listenerKind(_ entry: ConfigMapping) -> ListenerConfig.Kind? {
        let kinds = entry.present(listenerKinds)
        guard kinds.count == 1, let kindKey = kinds.first, let value = entry[kindKey] else {
            let message =
                kinds.isEmpty
                ? "needs one address key: \(KeySuggester.list(listenerKinds))"
                : "has both \(kinds.map { "`\($0)`" }.joined(separator: " and ")); a listener has exactly one address, "
                    + "so give each its own entry"
            entry.reader.report(message)
            return nil
        }
        let modeAllowed = kindKey == "unix" || kindKey == "unixgram"
        let modeFits = rejectOption("mode", in: entry, unless: modeAllowed, kind: kindKey, fitsOn: "unix and unixgram")
        let tokensFit = rejectOption("tokens_file", in: entry, unless: kindKey == "http", kind: kindKey, fitsOn: "http")
        var valid = modeFits && tokensFit
        var mode: UInt32 = 0o660
        if modeAllowed, let reader = entry["mode"] {
            if let given = reader.fileMode() { mode = given } else { valid = false }
        }
        var tokensFile: String?
        if kindKey == "http", let reader = entry["tokens_file"] {
            tokensFile = reader.path()
            valid = valid && tokensFile != nil
        }

        switch kindKey {
        case "udp", "tcp", "http":
            guard let address = value.hostPort(), valid else { return nil }
            if kindKey == "udp" { return .udp(host: address.host, port: address.port) }
            if kindKey == "tcp" { return .tcp(host: address.host, port: address.port) }
            return .http(host: address.host, port: address.port, tokensFile: tokensFile)
        default:
            guard let path = value.path(isSocket: true), valid else { return nil }
            return kindKey == "unix" ? .unix(path: path, mode: mode) : .unixgram(path: path, mode: mode)
        }
    }

    /// Reports `option` when it does not apply to this kind of listener.
    private static func rejectOption(
        _ option: String, in entry: ConfigMapping, unless allowed: Bool, kind: String, fitsOn kinds: String
    ) -> Bool {
        guard !allowed, let keyMark = entry.entries[option]?.keyMark, let value = entry[option] else { return true }
        value.report("`\(option)` applies only to \(kinds) listeners, not \(kind)", at: keyMark)
        return false
    }
}
