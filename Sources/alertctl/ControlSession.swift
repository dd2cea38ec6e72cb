import AlertCore
import ArgumentParser
import Foundation

/// One request to alertd and what to print for it: the raw `result` as
/// pretty JSON under `--json`, else the typed result rendered for people.
/// Failures are reported on stderr and end the process with the documented
/// exit status.
struct ControlSession {
    var options: GlobalOptions

    /// EX_UNAVAILABLE from sysexits.h.
    static let unavailable = ExitCode(69)
    /// The daemon answered `ok:false`, or answered nonsense.
    static let refused = ExitCode(1)

    /// Sends `request`; prints the JSON result or `render(decoded result)`.
    func run<Result: Decodable>(
        _ request: ControlRequest, as type: Result.Type, render: (Result) -> String
    ) throws {
        let result = try send(request)
        if options.json {
            print(try Self.prettyJSON(result))
            return
        }
        let decoded: Result
        do {
            let data = try JSONSerialization.data(withJSONObject: result, options: .fragmentsAllowed)
            decoded = try JSONDecoder().decode(Result.self, from: data)
        } catch {
            Self.report("unexpected result from alertd for \(request.command.rawValue): \(error)")
            throw Self.refused
        }
        let text = render(decoded)
        if !text.isEmpty { print(text) }
    }

    /// Performs the exchange and returns the `result` value of an ok response.
    func send(_ request: ControlRequest) throws -> Any {
        let path = options.socketPath
        let line: [UInt8]
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            line = Array(try encoder.encode(request))
        } catch {
            Self.report("cannot encode request: \(error)")
            throw Self.refused
        }

        let response: [UInt8]
        do {
            response = try ControlClient(socketPath: path).exchange(line)
        } catch {
            Self.report(error.message)
            throw Self.unavailable
        }

        guard
            let object = try? JSONSerialization.jsonObject(with: Data(response), options: .fragmentsAllowed),
            let envelope = object as? [String: Any],
            let ok = envelope["ok"] as? Bool
        else {
            Self.report("alertd at \(path) sent a malformed response")
            throw Self.refused
        }
        guard ok else {
            Self.report(envelope["error"] as? String ?? "request failed (no reason given)")
            throw Self.refused
        }
        return envelope["result"] ?? NSNull()
    }

    static func prettyJSON(_ value: Any) throws -> String {
        let data = try JSONSerialization.data(
            withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        // Foundation prints empty containers as "[\n\n  ]"; a raw newline can
        // only be structural (strings escape theirs), so this cannot touch data.
        return String(decoding: data, as: UTF8.self)
            .replacing(/\[\n *\n *\]/, with: "[]")
            .replacing(/\{\n *\n *\}/, with: "{}")
    }

    /// `alertctl: MESSAGE` on stderr, with terminal controls escaped (the
    /// message may quote alert text) but line breaks kept (reload errors
    /// list several problems).
    static func report(_ message: String) {
        let line = "alertctl: \(TerminalText.escape(message, keepingNewlines: true))\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
