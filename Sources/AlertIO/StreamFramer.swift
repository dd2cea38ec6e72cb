import NIOCore

/// Splits a byte stream into frames, enforcing `max_frame`:
///
/// * newline-terminated lines (a trailing CR is dropped), and
/// * RFC 6587 octet counting, `LEN SP MSG`, as rsyslog and
///   `logger --octet-count` send syslog over TCP: a frame that starts with a
///   digit is read as a length. (JSON starts with `{`, syslog with `<`.)
///
/// An oversized frame is reported once and skipped (to its newline, or by
/// its declared length), so the frames after it on the same connection still
/// get in. Pure and synchronous: fed chunks as they arrive, it calls back
/// with each complete frame. Tested with `ByteBuffer`s, no socket needed.
public struct StreamFramer {
    public enum Frame {
        case line(ByteBufferView)
        /// A frame longer than `maxFrame` was dropped; the count is how much
        /// of it had been seen (or was declared) when it was refused.
        case oversized(Int)
    }

    public let maxFrame: Int
    private var pending = ByteBuffer()
    /// Skipping an oversized newline-terminated frame up to its newline.
    private var discardingLine = false
    /// Bytes of an oversized octet-counted frame still to skip.
    private var skipBytes = 0

    public init(maxFrame: Int) { self.maxFrame = maxFrame }

    public mutating func feed(_ chunk: ByteBuffer, _ emit: (Frame) -> Void) {
        var chunk = chunk
        pending.writeBuffer(&chunk)
        while pending.readableBytes > 0, takeFrame(emit) {}
        if pending.readerIndex > 4096 { pending.discardReadBytes() }
    }

    /// End of stream: a last frame without a trailing newline still counts.
    public mutating func finish(_ emit: (Frame) -> Void) {
        if !discardingLine, skipBytes == 0, pending.readableBytes > 0 { emitLine(pending.readableBytesView, emit) }
        pending.clear()
        discardingLine = false
        skipBytes = 0
    }

    /// Takes one frame (or skips bytes) from `pending`; false when more input is needed.
    private mutating func takeFrame(_ emit: (Frame) -> Void) -> Bool {
        if skipBytes > 0 {
            let skipped = min(skipBytes, pending.readableBytes)
            pending.moveReaderIndex(forwardBy: skipped)
            skipBytes -= skipped
            return skipBytes == 0
        }
        let bytes = pending.readableBytesView
        if discardingLine {
            guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
                pending.moveReaderIndex(forwardBy: bytes.count)
                return false
            }
            pending.moveReaderIndex(to: newline + 1)
            discardingLine = false
            return true
        }
        if let first = bytes.first, Self.isDigit(first) {
            switch octetCount(bytes) {
            case .needMore: return false
            case .notCounted: break
            case .counted(let length, let headerLength):
                if length > maxFrame {
                    emit(.oversized(length))
                    pending.moveReaderIndex(forwardBy: headerLength)
                    skipBytes = length
                    return true
                }
                guard bytes.count >= headerLength + length else { return false }
                let start = bytes.startIndex + headerLength
                emitLine(bytes[start..<start + length], emit)
                pending.moveReaderIndex(forwardBy: headerLength + length)
                return true
            }
        }
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            if bytes.count > maxFrame {
                emit(.oversized(bytes.count))
                pending.moveReaderIndex(forwardBy: bytes.count)
                discardingLine = true
            }
            return false
        }
        emitLine(bytes[bytes.startIndex..<newline], emit)
        pending.moveReaderIndex(to: newline + 1)
        return true
    }

    private enum OctetCount {
        case needMore
        case notCounted
        case counted(length: Int, headerLength: Int)
    }

    /// `LEN SP`: up to 9 digits, then a space.
    private func octetCount(_ bytes: ByteBufferView) -> OctetCount {
        var length = 0
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: " ") {
                return index == bytes.startIndex ? .notCounted : .counted(length: length, headerLength: index - bytes.startIndex + 1)
            }
            guard Self.isDigit(byte), index - bytes.startIndex < 9 else { return .notCounted }
            length = length * 10 + Int(byte - UInt8(ascii: "0"))
            index += 1
        }
        return .needMore
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Emits `line` without a trailing CR (CRLF line endings are common).
    private func emitLine(_ line: ByteBufferView, _ emit: (Frame) -> Void) {
        let line = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        if line.count > maxFrame { emit(.oversized(line.count)) } else { emit(.line(line)) }
    }
}
