import Foundation
import Synchronization

/// A real HTTP server on 127.0.0.1 (Python's http.server, threaded) that
/// records every request and answers from a per-path script: a list of
/// `{status, delay, retry_after}`, the last entry repeating. With a secret it
/// also checks `X-Alertd-Signature` itself.
final class WebhookSink: @unchecked Sendable {
    struct Request {
        let path: String
        let headers: [String: String]
        let body: String
        let receivedAt: Date
        let signatureValid: Bool?
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] }
    }

    let port: Int
    private let process = Process()
    private let logPath: String

    /// - Parameter script: path → answers, e.g. `["/oncall": [[500, 0], [200, 0]]]` as (status, delay seconds).
    init(directory: URL, script: [String: [(status: Int, delay: Double)]] = [:], secret: String? = nil) throws {
        logPath = directory.appendingPathComponent("sink-\(UUID().uuidString.prefix(6)).jsonl").path
        let portFile = logPath + ".port"
        let scriptJSON = try JSONSerialization.data(
            withJSONObject: script.mapValues { $0.map { ["status": $0.status, "delay": $0.delay] } })
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.server, portFile, logPath, String(decoding: scriptJSON, as: UTF8.self), secret ?? ""]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var port = 0
        try waitUntil("the webhook sink is listening") {
            port = Int((try? String(contentsOfFile: portFile, encoding: .utf8)) ?? "") ?? 0
            return port > 0
        }
        self.port = port
    }

    // SIGKILL: processes the test runner starts inherit a mask that blocks SIGTERM.
    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    var requests: [Request] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Request(
                path: object["path"] as? String ?? "", headers: object["headers"] as? [String: String] ?? [:],
                body: object["body"] as? String ?? "", receivedAt: Date(timeIntervalSince1970: object["at"] as? Double ?? 0),
                signatureValid: object["signature_valid"] as? Bool)
        }
    }

    func requests(to path: String) -> [Request] { requests.filter { $0.path == path } }

    private static let server = """
        import hashlib, hmac, json, os, sys, threading, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        parent = os.getppid()
        def exit_with_parent():  # the test process may exit without terminating us
            while os.getppid() == parent: time.sleep(0.5)
            os._exit(0)
        threading.Thread(target=exit_with_parent, daemon=True).start()
        port_file, log_path, script, secret = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
        counts, lock = {}, threading.Lock()
        class Sink(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                entry = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                         "body": body.decode("utf-8", "replace"), "at": time.time()}
                if secret:
                    want = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
                    entry["signature_valid"] = hmac.compare_digest(want, self.headers.get("X-Alertd-Signature", ""))
                with lock:
                    n = counts.get(self.path, 0); counts[self.path] = n + 1
                    with open(log_path, "a") as f: f.write(json.dumps(entry) + "\\n")
                answers = script.get(self.path, [{"status": 200, "delay": 0}])
                answer = answers[min(n, len(answers) - 1)]
                time.sleep(answer["delay"])
                self.send_response(answer["status"])
                if answer["status"] in (429, 503) or answer["status"] >= 500: self.send_header("Retry-After", "1")
                self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"{}")
            def log_message(self, *args): pass
        server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
        server.daemon_threads = True
        with open(port_file + ".tmp", "w") as f: f.write(str(server.server_address[1]))
        import os; os.rename(port_file + ".tmp", port_file)
        server.serve_forever()
        """
}
