import AlertCore
import ArgumentParser
import Foundation

/// `alertctl`: the admin CLI over alertd's control socket (SPEC §7).
@main
struct Alertctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alertctl",
        abstract: "Inspect and act on alertd incidents over its control socket.",
        discussion: """
            Exit status: 0 on success, 1 when alertd refuses the request, 64 for \
            usage errors, 69 when alertd cannot be reached.
            """,
        subcommands: [
            Incidents.self, Show.self, Ack.self, Resolve.self, Note.self, SetSeverity.self,
            Update.self, Assign.self, Send.self, Explain.self, Stats.self, Reload.self,
        ]
    )

    // Declared here and again in every subcommand: ArgumentParser shares one
    // `GlobalOptions` value along the command stack, so `--socket`/`--json`
    // work both before and after the subcommand name.
    @OptionGroup var options: GlobalOptions
}

/// Options every command takes, before or after its name.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("socket"),
        help: ArgumentHelp(
            "Path of alertd's control socket.",
            discussion: """
                Default: $ALERTD_CONTROL_SOCKET, else $RUNTIME_DIRECTORY/control.sock, \
                else /run/alertd/control.sock if it exists, else ./.alertd/control.sock.
                """,
            valueName: "path"
        ),
        completion: .file()
    )
    var socket: String?

    @Flag(help: "Print the daemon's result as JSON (pretty, sorted keys).")
    var json = false

    /// The socket to talk to, following the documented order.
    var socketPath: String {
        SocketPathResolver.resolve(explicit: socket, environment: ProcessInfo.processInfo.environment)
    }
}

/// Where control.sock lives when `--socket` does not say.
enum SocketPathResolver {
    static let systemPath = "/run/alertd/control.sock"
    static let localPath = "./.alertd/control.sock"

    static func resolve(
        explicit: String?, environment: [String: String],
        exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnv = environment["ALERTD_CONTROL_SOCKET"], !fromEnv.isEmpty { return fromEnv }
        // systemd joins several RuntimeDirectory= entries with ':'; ours is the first.
        if let runtime = environment["RUNTIME_DIRECTORY"]?.split(separator: ":").first, !runtime.isEmpty {
            return runtime.hasSuffix("/") ? "\(runtime)control.sock" : "\(runtime)/control.sock"
        }
        if exists(systemPath) { return systemPath }
        return localPath
    }
}
