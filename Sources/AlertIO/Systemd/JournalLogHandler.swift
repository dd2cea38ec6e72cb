import CSystemd
import Foundation
import Logging

/// A swift-log backend writing native journal entries with
/// `sd_journal_sendv`: one iovec per `FIELD=value`, so a value containing
/// newlines (an alert summary, say) is sent length-prefixed by libsystemd
/// and can never start a field of its own or split the entry.
public struct JournalLogHandler: LogHandler {
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
        var fields: [String] = [
            "MESSAGE=\(event.message)",
            "PRIORITY=\(JournalFields.priority(level: event.level, severity: merged["severity"].map(JournalFields.text)))",
            "SYSLOG_IDENTIFIER=alertd",
            "LOGGER=\(label)",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
        ]
        if let error = event.error { fields.append("ERROR=\(error)") }
        for (key, value) in merged {
            var name = JournalFields.fieldName(key)
            // Never add a second value to a field the handler owns.
            if Self.ownFields.contains(name) { name = "META_" + name }
            fields.append("\(name)=\(JournalFields.text(value))")
        }
        Self.send(fields)
    }

    static let ownFields: Set<String> = [
        "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "LOGGER", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "ERROR",
    ]

    static func send(_ fields: [String]) {
        var buffers = fields.map { Array($0.utf8) }
        var vectors: [iovec] = []
        vectors.reserveCapacity(buffers.count)
        for index in buffers.indices {
            buffers[index].withUnsafeMutableBytes { raw in
                vectors.append(iovec(iov_base: raw.baseAddress, iov_len: raw.count))
            }
        }
        // The arrays stay alive (and unmoved) until after the call.
        withExtendedLifetime(buffers) {
            _ = sd_journal_sendv(vectors, Int32(vectors.count))
        }
    }

    /// Whether stderr is connected to the journal: systemd sets
    /// `JOURNAL_STREAM=dev:inode` of the stream it gave us.
    public static func stderrIsJournal(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let stream = environment["JOURNAL_STREAM"] else { return false }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
