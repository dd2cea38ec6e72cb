import AlertCore

/// Where listeners hand decoded alerts. The daemon's pipeline implements it.
public protocol AlertSink: Sendable {
    /// Queues `alerts` if there is room and returns at once; false when the
    /// queue is full (the caller counts an `overload` refusal). For
    /// datagram listeners, which cannot push back.
    func offer(_ alerts: [Alert]) -> Bool

    /// Queues `alerts`, waiting for room: a stream listener stops reading
    /// while it waits, so TCP flow control pushes back on the sender.
    func submit(_ alerts: [Alert]) async
}

/// Per-listener counters (SPEC §10 `alertd_alerts_received_total`,
/// `alertd_alerts_rejected_total`).
public protocol ListenerMetrics: Sendable {
    func received(format: String, count: Int)
    func rejected(_ reason: DecodeError.Reason, count: Int)
}
