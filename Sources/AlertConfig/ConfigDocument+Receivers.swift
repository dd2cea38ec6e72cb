/// `receivers:` (SPEC §5). A receiver is a list of channels (short form) or
/// a mapping of `channels`, `fallback`, `give_up_after`, `retry_interval` and `retry_max` (long form); each
/// channel is exactly one of `webhook`, `email`, `command` or `log`. The
/// file's receivers replace the embedded `log` receivers of the same name.
extension ConfigDocument {
    static let receiverKeys = ["channels", "fallback", "give_up_after", "retry_interval", "retry_max"]
    static let channelKinds = ["webhook", "email", "command", "log"]

    /// The names written under `receivers:`, valid or not, without reporting.
    static func definedReceiverNames(_ reader: ConfigReader?) -> [String] {
        guard case .mapping(let mapping)? = reader?.node else { return [] }
        return mapping.compactMap { $0.key.scalar?.string }
    }

    /// `receivers:`: the embedded `log` receivers, with the file's replacing
    /// or adding to them. `receiverNames` are the names a fallback may use.
    static func receivers(_ reader: ConfigReader, receiverNames: Set<String>) -> [String: ReceiverConfig] {
        var receivers = ReceiverConfig.embeddedDefaults
        guard let pairs = reader.pairs() else { return receivers }
        var fallbacks: [(name: String, fallback: String, reader: ConfigReader)] = []
        for (name, keyMark, value) in pairs {
            guard ValueSyntax.isReceiverName(name) else {
                value.report("\"\(name)\" is not a receiver name; use letters, digits, _, . and -", at: keyMark)
                continue
            }
            guard let receiver = receiver(named: name, value, receiverNames: receiverNames) else { continue }
            receivers[name] = receiver
            if let fallback = receiver.fallback, let node = value.node.mapping?["fallback"] {
                fallbacks.append((name, fallback, value.child(node, key: "fallback")))
            }
        }
        checkFallbackCycles(fallbacks)
        return receivers
    }

    /// One receiver in either form; nil (after reporting) when any part is wrong.
    static func receiver(named name: String, _ reader: ConfigReader, receiverNames: Set<String>) -> ReceiverConfig? {
        switch reader.node {
        case .sequence:
            return channels(reader).map { ReceiverConfig(name: name, channels: $0) }
        case .mapping:
            break
        default:
            guard reader.isNull else {
                reader.report(
                    "expected a list of channels (`- log: {}`) or a mapping of `channels`, `fallback` and "
                        + "`give_up_after`, found \(reader.kindDescription)")
                return nil
            }
            return channels(reader).map { ReceiverConfig(name: name, channels: $0) }
        }
        var misplaced: [String: String] = [:]
        for kind in channelKinds {
            misplaced[kind] =
                "`\(kind)` is a channel: list it under `channels:` (`channels: [{ \(kind): … }]`), or write the "
                + "receiver as a list of channels (`- \(kind): …`)"
        }
        guard let entry = reader.mapping(allowedKeys: receiverKeys, misplacedKeys: misplaced) else { return nil }
        var valid = true
        // A channel written straight into the mapping is reported as such; "missing `channels`" would repeat it.
        var channels: [ChannelConfig]?
        let channelWrittenHere = channelKinds.contains { reader.node.mapping?[$0] != nil }
        if entry.contains("channels") || !channelWrittenHere {
            channels = entry.required("channels", example: "channels: [{ log: {} }]").flatMap(Self.channels)
        }
        var fallback: String?
        if let value = entry["fallback"] {
            fallback = fallbackName(value, of: name, receiverNames: receiverNames)
            valid = valid && fallback != nil
        }
        let defaults = ReceiverConfig(name: name, channels: [])
        var giveUpAfter = defaults.giveUpAfter
        if let value = entry["give_up_after"] {
            if let parsed = value.duration(positive: true) { giveUpAfter = parsed } else { valid = false }
        }
        // First retry delay (doubling per failure) and its cap.
        var retryInterval = defaults.retryInterval
        if let value = entry["retry_interval"] {
            if let parsed = value.duration(positive: true) { retryInterval = parsed } else { valid = false }
        }
        var retryMax = defaults.retryMax
        if let value = entry["retry_max"] {
            if let parsed = value.duration(positive: true) { retryMax = parsed } else { valid = false }
        }
        guard valid, let channels else { return nil }
        return ReceiverConfig(
            name: name, channels: channels, fallback: fallback, giveUpAfter: giveUpAfter, retryInterval: retryInterval,
            retryMax: retryMax)
    }

    static func fallbackName(_ reader: ConfigReader, of name: String, receiverNames: Set<String>) -> String? {
        guard let fallback = reader.nonEmptyString() else { return nil }
        guard fallback != name else {
            reader.report("a receiver cannot fall back to itself; name another receiver")
            return nil
        }
        guard receiverNames.contains(fallback) else {
            reader.report(unknownReceiverMessage(fallback, defined: receiverNames))
            return nil
        }
        return fallback
    }

    /// Reports each chain of fallbacks that comes back on itself, once, at
    /// the `fallback` of its receiver written first.
    static func checkFallbackCycles(_ links: [(name: String, fallback: String, reader: ConfigReader)]) {
        let next = Dictionary(links.map { ($0.name, $0.fallback) }, uniquingKeysWith: { first, _ in first })
        let position = Dictionary(links.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        var finished: Set<String> = []
        for link in links where !finished.contains(link.name) {
            var chain: [String] = []
            var current: String? = link.name
            while let name = current, !finished.contains(name), !chain.contains(name) {
                chain.append(name)
                current = next[name]
            }
            finished.formUnion(chain)
            guard let repeated = current, let start = chain.firstIndex(of: repeated) else { continue }
            let cycle = chain[start...]
            guard let first = cycle.min(by: { position[$0, default: 0] < position[$1, default: 0] }),
                let firstIndex = cycle.firstIndex(of: first)
            else { continue }
            let ordered = Array(cycle[firstIndex...] + cycle[..<firstIndex]) + [first]
            links[position[first, default: 0]].reader.report(
                "fallback cycle \(ordered.joined(separator: " → ")); a page that gives up would go round forever, "
                    + "so end the chain at a receiver without `fallback`")
        }
    }

    // MARK: Channels

    /// A receiver's channels: at least one.
    static func channels(_ reader: ConfigReader) -> [ChannelConfig]? {
        guard let elements = reader.list() else { return nil }
        guard !elements.isEmpty else {
            reader.report("a receiver needs at least one channel; `- log: {}` writes its pages to the log")
            return nil
        }
        let channels = elements.compactMap(channel)
        return channels.count == elements.count ? channels : nil
    }

    /// One channel: exactly one of `webhook`, `email`, `command`, `log`.
    static func channel(_ reader: ConfigReader) -> ChannelConfig? {
        var misplaced: [String: String] = [:]
        for (kind, keys) in [("webhook", webhookKeys), ("email", emailKeys), ("command", commandKeys)] {
            for key in keys where misplaced[key] == nil {
                misplaced[key] = "`\(key)` is an option of the channel, not the list entry; indent it under "
                    + "`\(kind):` (`- \(kind): { \(key): … }`)"
            }
        }
        guard let entry = reader.mapping(allowedKeys: channelKinds, misplacedKeys: misplaced) else { return nil }
        let kinds = entry.present(channelKinds)
        guard kinds.count == 1, let kind = kinds.first, let value = entry[kind] else {
            if !kinds.isEmpty {
                reader.report(
                    "has both \(kinds.map { "`\($0)`" }.joined(separator: " and ")); a channel is exactly one of "
                        + "them, so give each its own list entry")
            } else if entry.rejectedKeyCount == 0 {
                reader.report("needs one channel key: \(KeySuggester.list(channelKinds))")
            }
            return nil
        }
        switch kind {
        case "webhook": return webhook(value).map(ChannelConfig.webhook)
        case "email": return email(value).map(ChannelConfig.email)
        case "command": return command(value).map(ChannelConfig.command)
        default:
            guard value.isNull || value.node.mapping != nil else {
                value.report("the log channel takes no options; write `log: {}`")
                return nil
            }
            return value.mapping(allowedKeys: [])?.rejectedKeyCount == 0 ? .log : nil
        }
    }
}
