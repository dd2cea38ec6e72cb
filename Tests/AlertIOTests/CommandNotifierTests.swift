import AlertCore
import AlertIO
import Foundation
import Logging
import Synchronization
import Testing

@Suite("Command notifier")
struct CommandNotifierTests {
    @Test("the incident JSON arrives on stdin and has the incident id")
    func json() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let script = try writeScript(dir, "open-ticket", #"cat > "$1""#)
        let notifier = try CommandNotifier(argv: [script, dir.file("in.json")])
        #expect(await notifier.deliver(samplePage()) == .sent)
        let data = try #require(FileManager.default.contents(atPath: dir.file("in.json")))
        let json = try jsonObject(data)
        #expect((json["incident"] as? [String: Any])?["id"] as? Int == 42)
        #expect(json["kind"] as? String == "declared")
        #expect(json["idempotency_key"] as? String == "alertd-42-7")
        #expect(data.last == UInt8(ascii: "\n"))
    }

    @Test("exit statuses as for email; a noisy stderr is drained and its first line kept")
    func exitStatus() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // 200 KB of stderr would fill the pipe and hang a command nobody reads.
        let noisy = try writeScript(
            dir, "noisy", "echo 'ticket system down' >&2\nhead -c 200000 /dev/zero | tr '\\0' x >&2\nexit 1")
        #expect(
            try await CommandNotifier(argv: [noisy]).deliver(samplePage())
                == .retry(reason: "exit 1: ticket system down", after: nil))
        let usage = try writeScript(dir, "usage", "echo 'usage: open-ticket QUEUE' >&2\nexit 64")
        #expect(
            try await CommandNotifier(argv: [usage]).deliver(samplePage())
                == .permanent(reason: "exit 64 (EX_USAGE): usage: open-ticket QUEUE"))
        let killed = try writeScript(dir, "killed", "kill -9 $$")
        #expect(outcomeName(try await CommandNotifier(argv: [killed]).deliver(samplePage())) == "retry")
    }

    @Test("a file that is not executable is permanent")
    func notExecutable() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try "#!/bin/sh\nexit 0\n".write(toFile: dir.file("plain"), atomically: true, encoding: .utf8)
        #expect(outcomeName(try await CommandNotifier(argv: [dir.file("plain")]).deliver(samplePage())) == "permanent")
    }
}

@Suite("Log notifier")
struct LogNotifierTests {
    @Test("logs the page at notice with incident_id, severity and receiver; always sent")
    func logs() async {
        let records = RecordingLogHandler.Records()
        let logger = Logger(label: "alertd.notify.log") { _ in RecordingLogHandler(records: records) }
        #expect(await LogNotifier(logger: logger).deliver(samplePage()) == .sent)
        let entries = records.entries
        #expect(entries.count == 1)
        let entry = entries[0]
        #expect(entry.level == .notice)
        #expect(entry.message.hasPrefix("[SEV1] #42 node-7: disk full\n"))
        #expect(entry.metadata["incident_id"] == "42")
        #expect(entry.metadata["severity"] == "SEV1")
        #expect(entry.metadata["receiver"] == "oncall")
    }
}

/// A swift-log handler that keeps what it is given.
struct RecordingLogHandler: LogHandler {
    final class Records: Sendable {
        struct Entry: Sendable {
            var level: Logger.Level
            var message: String
            var metadata: [String: String]
        }

        private let store = Mutex<[Entry]>([])
        var entries: [Entry] { store.withLock { $0 } }
        func append(_ entry: Entry) { store.withLock { $0.append(entry) } }
    }

    let records: Records
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        records.append(.init(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}
