import Foundation
import Logging
import Synchronization

/// Logs at most `burst` messages per `interval`, then one line saying how
/// many were suppressed. For noisy bad input: every refusal is still counted
/// in metrics; only the log is thinned.
public final class RateLimitedLogger: Sendable {
    private struct Window {
        var start = Date.distantPast
        var logged = 0
        var suppressed = 0
    }

    private let logger: Logger
    private let burst: Int
    private let interval: TimeInterval
    private let window = Mutex(Window())

    public init(logger: Logger, burst: Int = 10, interval: TimeInterval = 10) {
        self.logger = logger
        self.burst = burst
        self.interval = interval
    }

    public func warning(_ message: @autoclosure () -> Logger.Message, metadata: Logger.Metadata = [:]) {
        let now = Date()
        let (allowed, suppressedBefore) = window.withLock { window -> (Bool, Int) in
            var suppressed = 0
            if now.timeIntervalSince(window.start) >= interval {
                suppressed = window.suppressed
                window = Window(start: now, logged: 0, suppressed: 0)
            }
            if window.logged < burst {
                window.logged += 1
                return (true, suppressed)
            }
            window.suppressed += 1
            return (false, suppressed)
        }
        if suppressedBefore > 0 {
            logger.warning("suppressed \(suppressedBefore) similar messages in the last \(Int(interval))s")
        }
        if allowed { logger.warning(message(), metadata: metadata) }
    }
}
