import CSystemd
import Foundation

/// Talks to the service manager through `sd_notify` (SPEC §8). Every call
/// is a no-op when `NOTIFY_SOCKET` is not set, so the daemon calls it
/// unconditionally.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// `READY=1` with a first status line.
    public func ready(status: String) { send("READY=1\nSTATUS=\(Self.oneLine(status))") }

    /// The live one-line status `systemctl status` shows.
    public func status(_ text: String) { send("STATUS=\(Self.oneLine(text))") }

    /// systemd 252 has no `Type=notify-reload`, but honours `RELOADING=1`
    /// with the monotonic time it was sent at.
    public func reloading() { send("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())") }

    public func stopping() { send("STOPPING=1") }

    public func watchdog() { send("WATCHDOG=1") }

    /// The watchdog interval systemd expects pings within, when
    /// `WATCHDOG_USEC` is set for this process.
    public static func watchdogInterval() -> Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(microseconds))
    }

    private func send(_ state: String) { _ = sd_notify(0, state) }

    /// A status line must not carry a newline (it would start a new assignment).
    private static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ")
    }

    static func monotonicMicroseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000 + UInt64(time.tv_nsec) / 1000
    }
}
