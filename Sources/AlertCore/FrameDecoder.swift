/// Turns one received frame — a UDP datagram, or a line of a stream — into
/// alerts, sniffing the format from its first byte (SPEC §2). A datagram may
/// hold several newline-separated objects; each is decoded on its own so one
/// bad object does not cost its neighbours.
public struct FrameDecoder: Sendable {
    public var maxFrame: Int

    public init(maxFrame: Int = 64 * 1024) { self.maxFrame = maxFrame }

    /// Decodes every non-empty line of `frame`.
    public func decode(_ frame: some Collection<UInt8>, listener: String) -> [Result<Alert, DecodeError>] {
        if frame.count > maxFrame {
            return [.failure(DecodeError(.tooLarge, "frame of \(frame.count) bytes exceeds max_frame \(maxFrame)"))]
        }
        var results: [Result<Alert, DecodeError>] = []
        for line in frame.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            let trimmed = line.drop(while: Self.isSpace)
            guard let first = trimmed.first else { continue }
            if trimmed.allSatisfy(Self.isSpace) { continue }
            results.append(decodeLine(trimmed, first: first, listener: listener))
        }
        return results
    }

    private func decodeLine(_ line: some Collection<UInt8>, first: UInt8, listener: String) -> Result<Alert, DecodeError> {
        switch first {
        case UInt8(ascii: "{"):
            return NativeAlertDecoder.decode(line, listener: listener)
        default:
            return .failure(.malformed("unrecognised format: expected a JSON object starting with '{'"))
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}
