import AlertCore
import Foundation
import Subprocess
import Synchronization

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Runs a receiver's command without a shell: `argv` as configured, the page
/// on stdin, stdout discarded, the start of stderr kept for the failure
/// reason. Shared by `EmailNotifier` and `CommandNotifier`.
///
/// Outcomes (sysexits.h, as sendmail and msmtp use it):
/// * exit 0: sent.
/// * exit 75 (EX_TEMPFAIL) and other transient codes — 69 EX_UNAVAILABLE,
///   70 EX_SOFTWARE, 71 EX_OSERR, 73 EX_CANTCREAT, 74 EX_IOERR,
///   76 EX_PROTOCOL — and any code outside 64–78: retry.
/// * 64 EX_USAGE, 65 EX_DATAERR, 66 EX_NOINPUT, 67 EX_NOUSER, 68 EX_NOHOST,
///   72 EX_OSFILE, 77 EX_NOPERM, 78 EX_CONFIG: permanent. These say the
///   command line, the message or the setup is wrong; sending the same page
///   again cannot help, and failing now sends it to the receiver's fallback
///   at once instead of after `give_up_after`.
/// * killed by a signal: retry. Not finished within `timeout`: its process
///   group gets SIGTERM, then SIGKILL a second later; retry.
/// * the executable is missing or not executable: permanent.
struct CommandRunner: Sendable {
    let argv: [String]
    let timeout: TimeInterval
    /// How much of stderr is kept (the rest is read and dropped).
    static let stderrLimit = 4096
    static let killGrace: Duration = .seconds(1)

    init(argv: [String], timeout: TimeInterval, what: String) throws {
        guard let first = argv.first, !first.isEmpty else {
            throw NotifierSetupError("\(what): the command is empty")
        }
        guard timeout > 0 else { throw NotifierSetupError("\(what): timeout must be positive") }
        self.argv = argv
        self.timeout = timeout
        Self.ignoreSIGPIPE()
    }

    private enum Outcome: Sendable {
        case finished(TerminationStatus, stderr: [UInt8])
        case failedToRun(any Error)
        case timedOut
    }

    func run(stdin: [UInt8]) async -> DeliveryResult {
        var options = PlatformOptions()
        // Its own process group, so a timeout also stops what it started
        // (sendmail's children, a shell script's commands).
        options.processGroupID = 0
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: Self.killGrace)]
        let configuration = Configuration(
            executable: argv[0].contains("/") ? .path(FilePath(argv[0])) : .name(argv[0]),
            arguments: Arguments(Array(argv.dropFirst())), platformOptions: options)

        // The timeout is enforced from inside, with the process group id in
        // hand: SIGTERM to the group at the deadline, SIGKILL after the
        // grace. (Cancelling the run and relying on its teardown was seen to
        // leave a hung group alive when the machine was loaded.)
        let deadline = ContinuousClock.now + .nanoseconds(Int64(timeout * 1e9))
        let timedOut = TimeoutFlag()
        let outcome: Outcome
        do {
            let result = try await Subprocess.run(
                configuration, input: .inputWriter, output: .discarded, error: .sequence
            ) { execution in
                let group = execution.processIdentifier.value
                let watchdog = Task {
                    guard (try? await Task.sleep(until: deadline)) != nil else { return }
                    timedOut.fired.store(true, ordering: .relaxed)
                    kill(-group, SIGTERM)
                    guard (try? await Task.sleep(for: Self.killGrace)) != nil else { return }
                    kill(-group, SIGKILL)
                }
                defer { watchdog.cancel() }
                async let stderr = Self.head(of: execution.standardError)
                // A command may exit without reading all of stdin;
                // its exit status decides, not the broken pipe.
                _ = try? await execution.standardInputWriter.write(stdin)
                try? await execution.standardInputWriter.finish()
                return await stderr
            }
            outcome = timedOut.fired.load(ordering: .relaxed)
                ? .timedOut : .finished(result.terminationStatus, stderr: result.closureResult)
        } catch {
            outcome = .failedToRun(error)
        }

        switch outcome {
        case .finished(let status, let stderr):
            return Self.result(status, stderr: stderr)
        case .timedOut:
            return .retry(reason: "\(argv[0]) did not finish within \(timeout)s; killed", after: nil)
        case .failedToRun(let error):
            return Self.result(failedToRun: error, executable: argv[0])
        }
    }

    static func result(_ status: TerminationStatus, stderr: [UInt8]) -> DeliveryResult {
        switch status {
        case .exited(let code):
            return result(exitCode: Int(code), stderr: stderr)
        case .signaled(let signal):
            return .retry(reason: "killed by signal \(signal)" + detail(stderr), after: nil)
        }
    }

    /// The outcome for an exit status (see the type's comment).
    static func result(exitCode code: Int, stderr: [UInt8]) -> DeliveryResult {
        if code == 0 { return .sent }
        let reason = "exit \(code)" + (sysexitsName[code].map { " (\($0))" } ?? "") + detail(stderr)
        return permanentExits.contains(code) ? .permanent(reason: reason) : .retry(reason: reason, after: nil)
    }

    static let permanentExits: Set<Int> = [64, 65, 66, 67, 68, 72, 77, 78]
    static let sysexitsName: [Int: String] = [
        64: "EX_USAGE", 65: "EX_DATAERR", 66: "EX_NOINPUT", 67: "EX_NOUSER", 68: "EX_NOHOST",
        69: "EX_UNAVAILABLE", 70: "EX_SOFTWARE", 71: "EX_OSERR", 72: "EX_OSFILE", 73: "EX_CANTCREAT",
        74: "EX_IOERR", 75: "EX_TEMPFAIL", 76: "EX_PROTOCOL", 77: "EX_NOPERM", 78: "EX_CONFIG",
    ]

    static func result(failedToRun error: any Error, executable: String) -> DeliveryResult {
        if let error = error as? SubprocessError {
            let errno = error.underlyingError?.rawValue
            if error.code == .executableNotFound || errno == ENOENT || errno == EACCES || errno == ENOEXEC
                || errno == ENOTDIR
            {
                return .permanent(reason: "cannot run \(executable): \(error)")
            }
        }
        return .retry(reason: "cannot run \(executable): \(error)", after: nil)
    }

    /// `: <first non-empty line of stderr>`, or nothing.
    static func detail(_ stderr: [UInt8]) -> String {
        let text = String(decoding: stderr, as: UTF8.self)
        guard
            let line = text.split(whereSeparator: \.isNewline).lazy
                .map({ $0.trimmingCharacters(in: .whitespaces) }).first(where: { !$0.isEmpty })
        else { return "" }
        return ": "
            + String(
                line.unicodeScalars.prefix(300).filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }

    /// Reads the stream to its end (a command blocked on a full stderr pipe
    /// would never exit), keeping the first `stderrLimit` bytes.
    static func head(of stream: SubprocessOutputSequence) async -> [UInt8] {
        var kept: [UInt8] = []
        do {
            for try await buffer in stream where kept.count < stderrLimit {
                buffer.withUnsafeBytes { kept.append(contentsOf: $0.prefix(stderrLimit - kept.count)) }
            }
        } catch {}
        return kept
    }

    /// Writing to a command that has exited raises SIGPIPE, whose default
    /// action would end alertd. NIO ignores it too, once it opens a socket.
    private static let sigpipeIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    static func ignoreSIGPIPE() { _ = sigpipeIgnored }
}

/// Set by a command's watchdog when its deadline passed.
private final class TimeoutFlag: Sendable {
    let fired = Atomic<Bool>(false)
}
