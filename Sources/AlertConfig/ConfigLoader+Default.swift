import Foundation

extension ConfigLoader {
    /// The embedded default of SPEC §1, used when there is no config file:
    /// UDP and TCP on 127.0.0.1:5140 (`ingest-udp`, `ingest-tcp`) and a Unix
    /// stream socket `ingest-unix` at `$RUNTIME_DIRECTORY/alertd.sock`, else
    /// `./.alertd/alertd.sock` (mode 0660); default severity SEV3, no rules,
    /// every other setting at its default.
    public static func embeddedDefault(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> AlertdConfig {
        let socket = (runtimeDirectory(environment) ?? "./.alertd") + "/alertd.sock"
        return AlertdConfig(listeners: [
            ListenerConfig(name: "ingest-udp", kind: .udp(host: "127.0.0.1", port: 5140)),
            ListenerConfig(name: "ingest-tcp", kind: .tcp(host: "127.0.0.1", port: 5140)),
            ListenerConfig(name: "ingest-unix", kind: .unix(path: socket, mode: 0o660)),
        ])
    }

    /// systemd's `RuntimeDirectory=`; with several, it joins them with `:`
    /// and the first is ours.
    static func runtimeDirectory(_ environment: [String: String]) -> String? {
        guard let value = environment["RUNTIME_DIRECTORY"],
            let first = value.split(separator: ":").first, !first.isEmpty
        else { return nil }
        return first.hasSuffix("/") && first.count > 1 ? String(first.dropLast()) : String(first)
    }
}
