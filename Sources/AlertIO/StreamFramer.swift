import NIOCore

/// Splits a byte stream into newline-terminated frames, enforcing
/// `max_frame`. An oversized frame is reported once and skipped up to its
/// newline, so the frames after it on the same connection still get in.
///
/// Pure and synchronous: fed chunks as they arrive, it calls back with each
/// complete frame. Tested with `ByteBuffer`s, no socket needed.
public struct StreamFramer {
    public enum Frame {
        case line(ByteBufferView)
        /// A frame longer than `maxFrame` was dropped; the count is how much
        /// of it had been seen when it was refused.
        case oversized(Int)
    }

    public let maxFrame: Int
    private var pending = ByteBuffer()
    private var discarding = false

    public init(maxFrame: Int) { self.maxFrame = maxFrame }

    public mutating func feed(_ chunk: ByteBuffer, _ emit: (Frame) -> Void) {
        var chunk = chunk
        while let newline = chunk.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - chunk.readerIndex
            defer { chunk.moveReaderIndex(forwardBy: length + 1) }
            if discarding {
                discarding = false
                continue
            }
            if pending.readableBytes == 0 {
                emitLine(chunk.readableBytesView.prefix(length), emit)
            } else {
                pending.writeImmutableBuffer(chunk.getSlice(at: chunk.readerIndex, length: length)!)
                emitLine(pending.readableBytesView, emit)
                pending.clear()
            }
        }
        guard !discarding, chunk.readableBytes > 0 else { return }
        pending.writeImmutableBuffer(chunk)
        if pending.readableBytes > maxFrame {
            emit(.oversized(pending.readableBytes))
            pending.clear()
            discarding = true
        }
    }

    /// End of stream: a last frame without a trailing newline still counts.
    public mutating func finish(_ emit: (Frame) -> Void) {
        if !discarding, pending.readableBytes > 0 { emitLine(pending.readableBytesView, emit) }
        pending.clear()
        discarding = false
    }

    /// Emits `line` without a trailing CR (CRLF line endings are common).
    private func emitLine(_ line: ByteBufferView, _ emit: (Frame) -> Void) {
        let line = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        if line.count > maxFrame { emit(.oversized(line.count)) } else { emit(.line(line)) }
    }
}
