/// Turns one received frame — a UDP datagram, or one frame of a stream —
/// into alerts, sniffing the format from its first byte (SPEC §2):
///
/// * `<`: one syslog message (RFC 5424 or 3164), the whole frame;
/// * `{`: native JSON; a datagram may hold several newline-separated
///   objects, each decoded on its own so one bad object does not cost its
///   neighbours.
public struct FrameDecoder: Sendable {
    public var maxFrame: Int

    public init(maxFrame: Int = 64 * 1024) { self.maxFrame = maxFrame }

    public func decode(_ frame: some Collection<UInt8>, listener: String) -> [Result<Alert, DecodeError>] {
        var results: [Result<Alert, DecodeError>] = []
        decode(frame, listener: listener) { results.append($0) }
        return results
    }

    /// Hands each of the frame's alerts (or the reason it was refused) to
    /// `each` as it is decoded: no array of results per frame (a listener
    /// decodes one frame per stream line).
    public func decode(
        _ frame: some Collection<UInt8>, listener: String, each: (consuming Result<Alert, DecodeError>) -> Void
    ) {
        if frame.count > maxFrame {
            return each(.failure(DecodeError(.tooLarge, "frame of \(frame.count) bytes exceeds max_frame \(maxFrame)")))
        }
        // One contiguous buffer, scanned with concrete types: going byte by
        // byte through a generic collection from another module (NIO's
        // ByteBufferView) cost more than decoding the alerts.
        if frame.withContiguousStorageIfAvailable({ decode(buffer: $0, listener: listener, each: each) }) == nil {
            Array(frame).withUnsafeBufferPointer { decode(buffer: $0, listener: listener, each: each) }
        }
    }

    private func decode(
        buffer: UnsafeBufferPointer<UInt8>, listener: String, each: (consuming Result<Alert, DecodeError>) -> Void
    ) {
        var start = 0
        while start < buffer.count, Self.isSpaceOrNewline(buffer[start]) { start += 1 }
        guard start < buffer.count else { return }
        if buffer[start] == UInt8(ascii: "<") {
            var end = buffer.count
            while end > start, Self.isSpaceOrNewline(buffer[end - 1]) { end -= 1 }
            return each(SyslogDecoder.decode(UnsafeBufferPointer(rebasing: buffer[start..<end]), listener: listener))
        }
        var lineStart = start
        while lineStart < buffer.count {
            var lineEnd = lineStart
            while lineEnd < buffer.count, buffer[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            var first = lineStart
            while first < lineEnd, Self.isSpace(buffer[first]) { first += 1 }
            if first < lineEnd {
                let line = UnsafeBufferPointer(rebasing: buffer[first..<lineEnd])
                switch buffer[first] {
                case UInt8(ascii: "{"): each(NativeAlertDecoder.decode(line, listener: listener))
                case UInt8(ascii: "<"): each(SyslogDecoder.decode(line, listener: listener))
                default:
                    each(.failure(.malformed("unrecognised format: expected a JSON object ({…}) or a syslog message (<PRI>…)")))
                }
            }
            lineStart = lineEnd + 1
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    private static func isSpaceOrNewline(_ byte: UInt8) -> Bool { isSpace(byte) || byte == UInt8(ascii: "\n") }
}
