import Foundation

/// When to try a failed page delivery again (SPEC §5: exponential backoff
/// with jitter until `give_up_after`, then the receiver's `fallback`).
///
/// Rules, for `attempts` failed attempts so far:
/// * backoff = `base * 2^(attempts - 1)`, capped at `maximum`
///   (10s, 20s, 40s, … 15m with the defaults);
/// * times a jitter factor `1 + jitter * (2 * random - 1)`, i.e. ±20% by
///   default, so receivers that failed together do not retry together. The
///   jitter is applied after the cap: at the cap, delays spread over
///   `maximum * (1 ± jitter)` instead of bunching at `maximum`;
/// * a receiver's `Retry-After` is a minimum and is honoured in full, even
///   past `maximum` — the receiver said when it can take the page again;
/// * nil (give up) when that next attempt would be later than
///   `firstAttemptAt + giveUpAfter`; an attempt exactly at that instant is
///   still made.
public struct RetryPolicy: Sendable, Equatable {
    public var base: TimeInterval
    public var maximum: TimeInterval
    /// Fraction of the delay, 0...1.
    public var jitter: Double
    public var giveUpAfter: TimeInterval

    public init(
        base: TimeInterval = 10, maximum: TimeInterval = 15 * 60, jitter: Double = 0.2,
        giveUpAfter: TimeInterval = 24 * 3600
    ) {
        self.base = base
        self.maximum = maximum
        self.jitter = jitter
        self.giveUpAfter = giveUpAfter
    }

    /// The delay after `attempts` failed attempts (1 for the first failure;
    /// less is taken as 1). `random` in `0..<1` (clamped) is passed in so
    /// tests are deterministic; `retryAfter` is the receiver's `Retry-After`
    /// (ignored when negative or not a number).
    public func delay(afterFailure attempts: Int, retryAfter: TimeInterval?, random: Double) -> TimeInterval {
        let exponent = Double(max(attempts, 1) - 1)
        let backoff = min(base * pow(2, exponent), maximum)  // pow overflows to +inf, which min caps
        let spread = min(max(jitter, 0), 1)
        let unit = random.isNaN ? 0.5 : min(max(random, 0), 1)
        let jittered = max(backoff * (1 + spread * (2 * unit - 1)), 0)
        guard let retryAfter, retryAfter >= 0 else { return jittered }
        return max(jittered, retryAfter)
    }

    /// When to try again after `attempts` failed attempts, the last one
    /// ending at `now`; nil to give up (see the type's rules).
    public func nextAttempt(
        afterFailure attempts: Int, firstAttemptAt: Date, now: Date, retryAfter: TimeInterval?, random: Double
    ) -> Date? {
        let next = now.addingTimeInterval(delay(afterFailure: attempts, retryAfter: retryAfter, random: random))
        return next <= firstAttemptAt.addingTimeInterval(giveUpAfter) ? next : nil
    }
}
