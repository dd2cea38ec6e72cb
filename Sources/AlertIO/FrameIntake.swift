import AlertCore
import Logging

/// The shared front half of every listener: decode a frame, count what got
/// in and what was refused (and why), log refusals without flooding the log.
struct FrameIntake: Sendable {
    let listener: String
    let decoder: FrameDecoder
    let metrics: any ListenerMetrics
    let log: RateLimitedLogger

    init(listener: String, maxFrame: Int, metrics: any ListenerMetrics, logger: Logger) {
        self.listener = listener
        decoder = FrameDecoder(maxFrame: maxFrame)
        self.metrics = metrics
        log = RateLimitedLogger(logger: logger)
    }

    /// Appends the frame's good alerts to `batch`; counts and logs the bad ones.
    /// `peer` is only rendered when something is refused.
    func decode(_ frame: some Collection<UInt8>, peer: @autoclosure () -> String, into batch: inout [Alert]) {
        let before = batch.count
        decoder.decode(frame, listener: listener, found: { batch.append($0) }, refused: { refuse($0, peer: peer()) })
        // Counted per frame and format, not per alert: the counter's lock is not free.
        var index = before
        while index < batch.count {
            let format = batch[index].format
            var count = 0
            while index < batch.count, batch[index].format == format {
                count += 1
                index += 1
            }
            metrics.received(format: format, count: count)
        }
    }

    func refuse(_ error: DecodeError, peer: String, count: Int = 1) {
        metrics.rejected(error.reason, count: count)
        let (key, event) = AlertdEvent.inputRefused.metadata
        log.warning(
            "refused input: \(error.message)",
            metadata: ["listener": "\(listener)", "peer": "\(peer)", "reason": "\(error.reason.rawValue)", key: event])
    }
}
