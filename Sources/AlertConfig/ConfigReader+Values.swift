import AlertCore
import Foundation

/// Typed reads of the value syntaxes in `ValueSyntax`, reporting at the node.
extension ConfigReader {
    /// A duration like `90s`, `5m`, `1h30m`; `positive` refuses zero.
    func duration(positive: Bool = false) -> TimeInterval? {
        parse(expecting: "a duration like 5m") { text throws(ValueSyntaxError) in
            let seconds = try ValueSyntax.duration(text)
            if positive, seconds <= 0 { throw ValueSyntaxError(message: "must be longer than 0s") }
            return seconds
        }
    }

    func byteSize() -> Int? {
        parse(expecting: "a size like 64KiB", ValueSyntax.byteSize)
    }

    func hostPort() -> (host: String, port: Int)? {
        parse(expecting: "an address like \"127.0.0.1:5140\"", ValueSyntax.hostPort)
    }

    func fileMode() -> UInt32? {
        parse(expecting: "a file mode like \"0660\"", ValueSyntax.fileMode)
    }

    /// A filesystem path; Unix socket paths must also fit `sun_path`.
    func path(isSocket: Bool = false) -> String? {
        guard let path = nonEmptyString() else { return nil }
        // sun_path is 108 bytes on Linux, one of them the terminating NUL.
        if isSocket, path.utf8.count > 107 {
            report("the socket path is \(path.utf8.count) bytes long; Unix sockets allow at most 107")
            return nil
        }
        return path
    }

    /// A path to a file alertd must read at run time (a secret, a template):
    /// checked now, so a typo fails the load rather than the first page.
    func readableFile() -> String? {
        guard let path = path() else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            report("no such file \"\(path)\"")
            return nil
        }
        guard !isDirectory.boolValue else {
            report("\"\(path)\" is a directory; name a file")
            return nil
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            report("cannot read \"\(path)\" (check its permissions: alertd must be able to read it)")
            return nil
        }
        return path
    }

    /// Any severity spelling `Severity(parsing:)` accepts.
    func severity() -> Severity? {
        guard let text = scalarText(expecting: "a severity like SEV2") else { return nil }
        guard let severity = Severity(parsing: text) else {
            report(
                "unknown severity \"\(text)\"; use SEV1, SEV2, SEV3 or SEV4 "
                    + "(P1–P4, critical, high, warning and low are accepted too)")
            return nil
        }
        return severity
    }

    /// An Alertmanager-style matcher such as `check = "node_down"`.
    func matcher() -> Matcher? {
        guard let text = string() else { return nil }
        do {
            return try Matcher(parsing: text)
        } catch {
            report("\(error.description); write matchers like 'check = \"node_down\"' or 'host =~ \"db-.*\"'")
            return nil
        }
    }

    private func parse<Value>(
        expecting expected: String, _ parser: (String) throws(ValueSyntaxError) -> Value
    ) -> Value? {
        guard let text = scalarText(expecting: expected) else { return nil }
        do {
            return try parser(text)
        } catch {
            report(error.message)
            return nil
        }
    }
}
