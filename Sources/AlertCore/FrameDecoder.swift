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
        decode(frame, listener: listener, found: { results.append(.success($0)) }, refused: { results.append(.failure($0)) })
        return results
    }

    /// Hands each of the frame's alerts to `found` as it is decoded, and
    /// each reason one was refused to `refused`, in the frame's order: no
    /// array of results per frame (a listener decodes one frame per stream
    /// line), and no `Result` to unwrap (which copied every alert).
    public func decode(
        _ frame: some Collection<UInt8>, listener: String, found: (consuming Alert) -> Void,
        refused: (DecodeError) -> Void
    ) {
        if frame.count > maxFrame {
            return refused(DecodeError(.tooLarge, "frame of \(frame.count) bytes exceeds max_frame \(maxFrame)"))
        }
        // One contiguous buffer, scanned with concrete types: going byte by
        // byte through a generic collection from another module (NIO's
        // ByteBufferView) cost more than decoding the alerts.
        let decoded: Void? = frame.withContiguousStorageIfAvailable { buffer in
            decode(buffer: buffer, listener: listener, found: found, refused: refused)
        }
        if decoded == nil {
            Array(frame).withUnsafeBufferPointer { decode(buffer: $0, listener: listener, found: found, refused: refused) }
        }
    }

    private func decode(
        buffer: UnsafeBufferPointer<UInt8>, listener: String, found: (consuming Alert) -> Void,
        refused: (DecodeError) -> Void
    ) {
        func syslog(_ message: UnsafeBufferPointer<UInt8>) {
            switch SyslogDecoder.decode(message, listener: listener) {
            case .success(let alert): found(alert)
            case .failure(let error): refused(error)
            }
        }
        var start = 0
        while start < buffer.count, Self.isSpaceOrNewline(buffer[start]) { start += 1 }
        guard start < buffer.count else { return }
        if buffer[start] == UInt8(ascii: "<") {
            var end = buffer.count
            while end > start, Self.isSpaceOrNewline(buffer[end - 1]) { end -= 1 }
            return syslog(UnsafeBufferPointer(rebasing: buffer[start..<end]))
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
                case UInt8(ascii: "{"):
                    do throws(DecodeError) {
                        found(try NativeAlertDecoder.alert(in: line, listener: listener))
                    } catch {
                        refused(error)
                    }
                case UInt8(ascii: "<"): syslog(line)
                default:
                    refused(.malformed("unrecognised format: expected a JSON object ({…}) or a syslog message (<PRI>…)"))
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
