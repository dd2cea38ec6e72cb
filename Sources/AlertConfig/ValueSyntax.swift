import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a value's text is wrong, in a sentence that says what would be right.
struct ValueSyntaxError: Error, Equatable {
    let message: String
}

/// Pure parsers for the value syntaxes of the config file: durations,
/// sizes, `HOST:PORT`, file modes and names. Kept apart from the node walk
/// so they can be tested with plain tables.
enum ValueSyntax {
    // MARK: Durations

    private static let durationUnits: [String: Double] = [
        "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400,
    ]
    private static let durationHint = "use numbers with units ms, s, m, h or d, e.g. 500ms, 90s, 5m, 1h30m, 48h, 1d"

    /// Go-style durations (`90s`, `5m`, `1h30m`, `500ms`) plus `d` for days.
    static func duration(_ text: String) throws(ValueSyntaxError) -> TimeInterval {
        let text = text.trimmingWhitespace
        if text.isEmpty { throw ValueSyntaxError(message: "expected a duration; \(durationHint)") }
        if text.hasPrefix("-") {
            throw ValueSyntaxError(message: "\"\(text)\" is negative; durations must be 0 or more")
        }
        if Double(text) != nil {
            throw ValueSyntaxError(message: "\"\(text)\" has no unit; add one, e.g. \(text)s or \(text)m")
        }
        var scalars = Substring(text).unicodeScalars[...]
        var total = 0.0
        while !scalars.isEmpty {
            let number = scalars.prefix { CharacterSet.decimalDigits.contains($0) || $0 == "." }
            scalars = scalars.dropFirst(number.count)
            let unit = scalars.prefix { CharacterSet.letters.contains($0) }
            scalars = scalars.dropFirst(unit.count)
            guard let value = Double(String(number)), let factor = durationUnits[String(unit)] else {
                throw ValueSyntaxError(message: "\"\(text)\" is not a duration; \(durationHint)")
            }
            total += value * factor
        }
        guard total.isFinite else { throw ValueSyntaxError(message: "\"\(text)\" is too long a duration") }
        return total
    }

    // MARK: Sizes

    private static let sizeUnits: [String: Int] = [
        "": 1, "B": 1,
        "KB": 1000, "MB": 1000 * 1000, "GB": 1000 * 1000 * 1000,
        "KiB": 1024, "MiB": 1024 * 1024, "GiB": 1024 * 1024 * 1024,
    ]
    private static let sizeHint =
        "use a whole number of bytes with an optional unit KiB, MiB, GiB (1024-based) or KB, MB, GB (1000-based), "
        + "e.g. 64KiB, 8MiB, 1MB, 512"

    /// Byte sizes: `512`, `64KiB`, `8MiB`, `1MB`; at least one byte.
    static func byteSize(_ text: String) throws(ValueSyntaxError) -> Int {
        let text = text.trimmingWhitespace
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let unit = String(text.dropFirst(digits.count)).trimmingWhitespace
        guard !digits.isEmpty, let number = Int(digits), let factor = sizeUnits[unit] else {
            if let fixed = sizeUnits.keys.first(where: { !$0.isEmpty && $0.lowercased() == unit.lowercased() }),
                !digits.isEmpty
            {
                throw ValueSyntaxError(message: "\"\(text)\" has an unknown unit; did you mean \(digits)\(fixed)?")
            }
            throw ValueSyntaxError(message: "\"\(text)\" is not a size; \(sizeHint)")
        }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: factor)
        if overflow { throw ValueSyntaxError(message: "\"\(text)\" is too large") }
        if bytes < 1 { throw ValueSyntaxError(message: "must be at least 1 byte") }
        return bytes
    }

    // MARK: Addresses

    private static let addressHint =
        "use HOST:PORT where HOST is an IPv4 address, [IPv6] in brackets or localhost, "
        + "e.g. 127.0.0.1:5140, [::1]:5140, localhost:9095"

    /// `HOST:PORT` with HOST an IPv4 address, `[IPv6]` or `localhost`; the
    /// returned host has no brackets (`::1`), as socket APIs expect.
    static func hostPort(_ text: String) throws(ValueSyntaxError) -> (host: String, port: Int) {
        let host: String
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ValueSyntaxError(message: "\"\(text)\" is not an address; \(addressHint)")
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
            guard isIPv6(host) else {
                throw ValueSyntaxError(message: "\"\(host)\" is not an IPv6 address; \(addressHint)")
            }
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ValueSyntaxError(message: "\"\(text)\" has no port; \(addressHint)")
            }
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
            if host.contains(":") {
                throw ValueSyntaxError(message: "put IPv6 addresses in brackets, e.g. [\(host)]:\(portText)")
            }
            guard host == "localhost" || isIPv4(host) else {
                throw ValueSyntaxError(message: "\"\(host)\" is not an IPv4 address or localhost; \(addressHint)")
            }
        }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText),
            (0...65535).contains(port)
        else {
            throw ValueSyntaxError(message: "\"\(portText)\" is not a port; use a number from 0 to 65535")
        }
        return (host, port)
    }

    static func isIPv4(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }

    // MARK: File modes and names

    /// An octal permission mode like `0660` (also `660`, `0o660`).
    static func fileMode(_ text: String) throws(ValueSyntaxError) -> UInt32 {
        var digits = text.trimmingWhitespace
        if digits.hasPrefix("0o") { digits.removeFirst(2) }
        guard (3...4).contains(digits.count), let mode = UInt32(digits, radix: 8), mode <= 0o7777 else {
            throw ValueSyntaxError(message: "\"\(text)\" is not a file mode; use octal digits in quotes, e.g. \"0660\"")
        }
        return mode
    }

    /// Listener names (`FileDescriptorName=` in systemd): `[A-Za-z0-9_.-]+`.
    static func isListenerName(_ text: String) -> Bool {
        !text.isEmpty
            && text.unicodeScalars.allSatisfy { isAlnum($0) || $0 == "_" || $0 == "." || $0 == "-" }
    }

    /// Receiver names (`receivers:`, `notify:`, `fallback:`): the listener
    /// name alphabet, so they are safe in metric labels and on the timeline.
    static func isReceiverName(_ text: String) -> Bool { isListenerName(text) }

    /// Label and field names (`set_labels`, `group_by`): `[A-Za-z_][A-Za-z0-9_]*`,
    /// the names matchers accept.
    static func isLabelName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCII, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { isAlnum($0) || $0 == "_" }
    }

    private static func isAlnum(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
    }
}
