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
        if frame.count > maxFrame {
            return [.failure(DecodeError(.tooLarge, "frame of \(frame.count) bytes exceeds max_frame \(maxFrame)"))]
        }
        // One contiguous buffer, scanned with concrete types: going byte by
        // byte through a generic collection from another module (NIO's
        // ByteBufferView) cost more than decoding the alerts.
        if let results = frame.withContiguousStorageIfAvailable({ decode(buffer: $0, listener: listener) }) {
            return results
        }
        return Array(frame).withUnsafeBufferPointer { decode(buffer: $0, listener: listener) }
    }

    private func decode(buffer: UnsafeBufferPointer<UInt8>, listener: String) -> [Result<Alert, DecodeError>] {
        var start = 0
        while start < buffer.count, Self.isSpaceOrNewline(buffer[start]) { start += 1 }
        guard start < buffer.count else { return [] }
        if buffer[start] == UInt8(ascii: "<") {
            var end = buffer.count
            while end > start, Self.isSpaceOrNewline(buffer[end - 1]) { end -= 1 }
            return [SyslogDecoder.decode(UnsafeBufferPointer(rebasing: buffer[start..<end]), listener: listener)]
        }
        var results: [Result<Alert, DecodeError>] = []
        var lineStart = start
        while lineStart < buffer.count {
            var lineEnd = lineStart
            while lineEnd < buffer.count, buffer[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            var first = lineStart
            while first < lineEnd, Self.isSpace(buffer[first]) { first += 1 }
            if first < lineEnd {
                let line = UnsafeBufferPointer(rebasing: buffer[first..<lineEnd])
                switch buffer[first] {
                case UInt8(ascii: "{"): results.append(NativeAlertDecoder.decode(line, listener: listener))
                case UInt8(ascii: "<"): results.append(SyslogDecoder.decode(line, listener: listener))
                default:
                    results.append(
                        .failure(.malformed("unrecognised format: expected a JSON object ({…}) or a syslog message (<PRI>…)")))
                }
            }
            lineStart = lineEnd + 1
        }
        return results
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    private static func isSpaceOrNewline(_ byte: UInt8) -> Bool { isSpace(byte) || byte == UInt8(ascii: "\n") }
}
