import Foundation
import Testing

@testable import AlertCore

@Suite("Retry policy")
struct RetryPolicyTests {
    static let policy = RetryPolicy()
    static let first = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    @Test("defaults: 10s base, 15m cap, ±20% jitter, give up after 24h")
    func defaults() {
        #expect(Self.policy == RetryPolicy(base: 10, maximum: 900, jitter: 0.2, giveUpAfter: 86_400))
    }

    /// Failed attempts so far → delay with no jitter (random 0.5 is the centre).
    @Test(
        "exponential backoff, capped",
        arguments: [
            (1, 10.0), (2, 20), (3, 40), (4, 80), (5, 160), (6, 320), (7, 640), (8, 900), (9, 900), (20, 900),
            (1_000, 900), (Int.max, 900), (0, 10), (-3, 10),
        ] as [(Int, TimeInterval)])
    func backoff(attempts: Int, delay: TimeInterval) {
        #expect(Self.policy.delay(afterFailure: attempts, retryAfter: nil, random: 0.5) == delay)
        let next = Self.policy.nextAttempt(
            afterFailure: attempts, firstAttemptAt: Self.first, now: Self.first.addingTimeInterval(60),
            retryAfter: nil, random: 0.5)
        #expect(next == Self.first.addingTimeInterval(60 + delay))
    }

    /// (attempts, random, delay): the jitter factor is 1 + 0.2 * (2 * random - 1).
    @Test(
        "jitter spreads the delay by ±20%",
        arguments: [
            (1, 0.0, 8.0), (1, 0.25, 9), (1, 0.75, 11), (3, 0.0, 32), (3, 0.75, 44), (8, 0.0, 720), (8, 0.75, 990),
            (8, 1.0, 1080), (8, -1.0, 720), (8, 7.0, 1080), (8, .nan, 900),
        ] as [(Int, Double, TimeInterval)])
    func jitter(attempts: Int, random: Double, delay: TimeInterval) {
        #expect(abs(Self.policy.delay(afterFailure: attempts, retryAfter: nil, random: random) - delay) < 1e-9)
    }

    @Test("every jittered delay stays within ±jitter of the backoff", arguments: 1...12)
    func jitterBounds(attempts: Int) {
        let backoff = min(10 * pow(2, Double(attempts - 1)), 900)
        for step in 0..<100 {
            let delay = Self.policy.delay(afterFailure: attempts, retryAfter: nil, random: Double(step) / 100)
            #expect(delay >= backoff * 0.8 - 1e-9 && delay < backoff * 1.2, "random \(Double(step) / 100)")
        }
    }

    @Test("no jitter: exact powers of two")
    func noJitter() {
        let policy = RetryPolicy(base: 1, maximum: 60, jitter: 0)
        let delays = (1...8).map { policy.delay(afterFailure: $0, retryAfter: nil, random: 0.9) }
        #expect(delays == [1, 2, 4, 8, 16, 32, 60, 60])
    }

    /// (attempts, Retry-After, random, delay): a minimum, honoured past the cap.
    @Test(
        "Retry-After is a minimum, honoured in full",
        arguments: [
            (1, 120.0, 0.5, 120.0), (1, 5, 0.5, 10), (1, 5, 0.0, 8), (1, 10, 1.0, 12), (8, 3600, 0.5, 3600),
            (8, 600, 0.5, 900), (1, 0, 0.5, 10), (1, -30, 0.5, 10), (1, .nan, 0.5, 10),
        ] as [(Int, TimeInterval, Double, TimeInterval)])
    func retryAfter(attempts: Int, retryAfter: TimeInterval, random: Double, delay: TimeInterval) {
        #expect(abs(Self.policy.delay(afterFailure: attempts, retryAfter: retryAfter, random: random) - delay) < 1e-9)
    }

    /// (seconds after the first attempt, attempts, Retry-After, next attempt in seconds after the first, or nil).
    @Test(
        "gives up when the next attempt would be past give_up_after",
        arguments: [
            (86_400.0 - 901, 8, nil, 86_400.0 - 1),
            (86_400 - 900, 8, nil, 86_400),  // exactly at the deadline: still tried
            (86_400 - 899, 8, nil, nil),
            (86_400, 8, nil, nil),
            (0, 1, nil, 10),
            (0, 1, 86_400, 86_400),
            (0, 1, 86_401, nil),
            (3_600, 2, .infinity, nil),
            (100_000, 1, nil, nil),
        ] as [(TimeInterval, Int, TimeInterval?, TimeInterval?)])
    func givesUp(elapsed: TimeInterval, attempts: Int, retryAfter: TimeInterval?, expected: TimeInterval?) {
        let next = Self.policy.nextAttempt(
            afterFailure: attempts, firstAttemptAt: Self.first, now: Self.first.addingTimeInterval(elapsed),
            retryAfter: retryAfter, random: 0.5)
        #expect(next == expected.map { Self.first.addingTimeInterval($0) })
    }

    @Test("a receiver's own give_up_after is honoured")
    func shorterGiveUp() {
        var policy = Self.policy
        policy.giveUpAfter = 60
        #expect(
            policy.nextAttempt(afterFailure: 3, firstAttemptAt: Self.first, now: Self.first + 20, retryAfter: nil, random: 0.5)
                == Self.first + 60)
        #expect(
            policy.nextAttempt(afterFailure: 3, firstAttemptAt: Self.first, now: Self.first + 21, retryAfter: nil, random: 0.5)
                == nil)
    }
}
