import Foundation

/// The options of each channel kind under `receivers:` (SPEC §5). Files
/// the channel reads when it sends (`hmac_secret_file`, `template`) are
/// checked now; commands are not run, so their programs are not.
extension ConfigDocument {
    static let webhookKeys = ["url", "format", "template", "timeout", "hmac_secret_file", "headers", "routing_key"]
    static let emailKeys = ["command", "to", "from", "timeout"]
    static let commandKeys = ["argv", "timeout"]
    /// Headers every webhook request gets from alertd itself.
    static let reservedHeaders = ["idempotency-key", "x-alertd-signature"]

    enum WebhookFormatName: String, CaseIterable { case generic, slack, alertmanager, pagerduty, template }

    static func webhook(_ reader: ConfigReader) -> WebhookConfig? {
        guard let entry = reader.mapping(allowedKeys: webhookKeys) else { return nil }
        var valid = true
        func read<Value>(_ key: String, _ parse: (ConfigReader) -> Value?) -> Value? {
            guard let value = entry[key] else { return nil }
            let parsed = parse(value)
            valid = valid && parsed != nil
            return parsed
        }
        let url = entry.required("url", example: "url: \"https://chat.example/hook\"").flatMap(webhookURL)
        let formatName = read("format") { $0.oneOf(WebhookFormatName.self) }
        let timeout = read("timeout") { $0.duration(positive: true) }
        let headers = read("headers", Self.headers) ?? []
        let hmacSecretFile = read("hmac_secret_file") { $0.readableFile() }

        // `template` and `routing_key` belong to one format each: required
        // with it, refused without it. An unreadable `format` skips this.
        var format = WebhookConfig.Format.generic
        var routingKey: String?
        if let formatName {
            let templateFits = option("template", in: entry, fits: formatName == .template, format: "template")
            let routingKeyFits = option("routing_key", in: entry, fits: formatName == .pagerduty, format: "pagerduty")
            valid = valid && templateFits && routingKeyFits
            switch formatName {
            case .generic: format = .generic
            case .slack: format = .slack
            case .alertmanager: format = .alertmanager
            case .pagerduty:
                format = .pagerduty
                routingKey = entry.required("routing_key", example: "routing_key: YOUR_INTEGRATION_KEY")
                    .flatMap { $0.nonEmptyString() }
                valid = valid && routingKey != nil
            case .template:
                let path = entry.required("template", example: "template: /etc/alertd/templates/chat.mustache")
                    .flatMap { $0.readableFile() }
                if let path { format = .template(path: path) } else { valid = false }
            }
        } else if entry["format"] == nil {
            valid = option("template", in: entry, fits: false, format: "template") && valid
            valid = option("routing_key", in: entry, fits: false, format: "pagerduty") && valid
        }
        guard valid, let url else { return nil }
        return WebhookConfig(
            url: url, format: format, timeout: timeout ?? WebhookConfig(url: url).timeout, headers: headers,
            hmacSecretFile: hmacSecretFile, routingKey: routingKey)
    }

    /// Reports `key` when it is written for a format it does not fit.
    private static func option(_ key: String, in entry: ConfigMapping, fits: Bool, format: String) -> Bool {
        guard !fits, let keyMark = entry.entries[key]?.keyMark, let value = entry[key] else { return true }
        value.report("`\(key)` applies only to `format: \(format)`", at: keyMark)
        return false
    }

    static func webhookURL(_ reader: ConfigReader) -> String? {
        guard let text = reader.nonEmptyString() else { return nil }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            reader.report("\"\(text)\" is not an http or https URL with a host, e.g. \"https://chat.example/hook\"")
            return nil
        }
        return text
    }

    /// `headers:`, in the order written; names are HTTP tokens, values one line.
    static func headers(_ reader: ConfigReader) -> [(name: String, value: String)]? {
        guard let pairs = reader.pairs() else { return nil }
        let tokenSymbols = Set("!#$%&'*+-.^_`|~".unicodeScalars)
        var headers: [(name: String, value: String)] = []
        for (name, keyMark, valueReader) in pairs {
            let isToken =
                !name.isEmpty
                && name.unicodeScalars.allSatisfy {
                    ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                        || tokenSymbols.contains($0)
                }
            guard isToken else {
                valueReader.report("\"\(name)\" is not an HTTP header name; use letters, digits and -", at: keyMark)
                continue
            }
            guard !reservedHeaders.contains(name.lowercased()) else {
                valueReader.report("alertd sets `\(name)` itself; leave it out of `headers`", at: keyMark)
                continue
            }
            guard let value = valueReader.string() else { continue }
            guard !value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                valueReader.report("a header value must be one line")
                continue
            }
            headers.append((name, value))
        }
        return headers.count == pairs.count ? headers : nil
    }

    static func email(_ reader: ConfigReader) -> EmailConfig? {
        guard let entry = reader.mapping(allowedKeys: emailKeys) else { return nil }
        let command = entry.required("command", example: "command: [/usr/sbin/sendmail, -t, -oi]").flatMap(argv)
        let to = entry.required("to", example: "to: [oncall@example.com]").flatMap(emailAddresses)
        let from = entry.required("from", example: "from: alertd@example.com").flatMap(emailAddress)
        var timeout: TimeInterval?
        if let value = entry["timeout"] {
            guard let parsed = value.duration(positive: true) else { return nil }
            timeout = parsed
        }
        guard let command, let to, let from else { return nil }
        let defaults = EmailConfig(command: command, to: to, from: from)
        return EmailConfig(command: command, to: to, from: from, timeout: timeout ?? defaults.timeout)
    }

    static func command(_ reader: ConfigReader) -> CommandConfig? {
        guard let entry = reader.mapping(allowedKeys: commandKeys) else { return nil }
        let argv = entry.required("argv", example: "argv: [/usr/local/bin/open-ticket]").flatMap(argv)
        var timeout: TimeInterval?
        if let value = entry["timeout"] {
            guard let parsed = value.duration(positive: true) else { return nil }
            timeout = parsed
        }
        guard let argv else { return nil }
        return CommandConfig(argv: argv, timeout: timeout ?? CommandConfig(argv: argv).timeout)
    }

    /// A command line as a list: the program by absolute path (commands run
    /// without a shell or PATH search), then its arguments.
    static func argv(_ reader: ConfigReader) -> [String]? {
        guard let elements = reader.list() else { return nil }
        guard let first = elements.first else {
            reader.report("name the program and its arguments, e.g. [/usr/sbin/sendmail, -t, -oi]")
            return nil
        }
        guard let argv = reader.stringList() else { return nil }
        guard argv[0].hasPrefix("/") else {
            first.report(
                "\"\(argv[0])\" is not an absolute path; commands run without a shell or PATH search, so write "
                    + "the full path, e.g. /usr/sbin/sendmail")
            return nil
        }
        return argv
    }

    static func emailAddresses(_ reader: ConfigReader) -> [String]? {
        guard let elements = reader.list() else { return nil }
        guard !elements.isEmpty else {
            reader.report("name at least one address, e.g. [oncall@example.com]")
            return nil
        }
        let addresses = elements.compactMap(emailAddress)
        return addresses.count == elements.count ? addresses : nil
    }

    /// A bare address (`local@domain`): it goes into a header as written.
    static func emailAddress(_ reader: ConfigReader) -> String? {
        guard let text = reader.scalarText(expecting: "an address like oncall@example.com") else { return nil }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        let forbidden = Set(" \t\r\n<>,;\"()".unicodeScalars)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            !text.unicodeScalars.contains(where: { forbidden.contains($0) || $0.value < 0x20 })
        else {
            reader.report("\"\(text)\" is not an email address; write a bare address like oncall@example.com")
            return nil
        }
        return text
    }
}
