import Foundation
import Logging

/// Plain stderr logging outside systemd: one line per event, with control
/// characters in messages and metadata escaped, so untrusted text (an alert
/// summary with a newline) cannot forge a log line.
public struct StderrLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: Logging.LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        merged.removeValue(forKey: "message_id")
        var line = "\(Date().formatted(.iso8601)) \(event.level) \(label): \(Self.escape("\(event.message)"))"
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(Self.escape(JournalFields.text(value)))"
        }
        if let error = event.error { line += " error=\(Self.escape("\(error)"))" }
        line += "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Control characters (C0, DEL, C1, line/paragraph separators) as
    /// `\n`, `\t` or `\u{…}`, and `\` doubled, so what is printed reads back
    /// unambiguously.
    static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case "\\": escaped += "\\\\"
            case _ where needsEscape(scalar): escaped += "\\u{\(String(scalar.value, radix: 16))}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7f...0x9f, 0x2028, 0x2029, 0x5c: return true
        default: return false
        }
    }
}
