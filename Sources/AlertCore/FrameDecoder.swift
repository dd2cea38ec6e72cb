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
        let start = frame.drop(while: Self.isSpaceOrNewline)
        guard let first = start.first else { return [] }
        if first == UInt8(ascii: "<") {
            var end = start.endIndex
            while end > start.startIndex, Self.isSpaceOrNewline(start[start.index(end, offsetBy: -1)]) {
                end = start.index(end, offsetBy: -1)
            }
            return [SyslogDecoder.decode(start[start.startIndex..<end], listener: listener)]
        }
        var results: [Result<Alert, DecodeError>] = []
        for line in frame.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            let trimmed = line.drop(while: Self.isSpace)
            guard let head = trimmed.first, !trimmed.allSatisfy(Self.isSpace) else { continue }
            switch head {
            case UInt8(ascii: "{"): results.append(NativeAlertDecoder.decode(trimmed, listener: listener))
            case UInt8(ascii: "<"): results.append(SyslogDecoder.decode(trimmed, listener: listener))
            default:
                results.append(.failure(.malformed("unrecognised format: expected a JSON object ({…}) or a syslog message (<PRI>…)")))
            }
        }
        return results
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    private static func isSpaceOrNewline(_ byte: UInt8) -> Bool { isSpace(byte) || byte == UInt8(ascii: "\n") }
}
