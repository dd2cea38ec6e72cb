import AlertCore
import Foundation
import Logging
import Synchronization

/// A Unix datagram socket (`unixgram:`, /dev/log style), read by one
/// blocking thread.
///
/// Not NIO: senders such as `logger -u` send from an unbound socket, and
/// NIO's datagram channel treats a nameless peer as fatal (a precondition in
/// vector reads; a channel-closing error otherwise). A plain `recv` does not
/// care who sent it.
public final class UnixDatagramListener: Sendable {
    public let name: String
    private let path: String
    private let mode: UInt32
    private let intake: FrameIntake
    private let sink: any AlertSink
    private let receiveBuffer: Int
    private let socket = Mutex<Int32>(-1)
    private let stopping = Atomic<Bool>(false)
    private let stopped = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let finished = Atomic<Bool>(false)

    public init(
        name: String, path: String, mode: UInt32, maxFrame: Int, sink: any AlertSink, metrics: any ListenerMetrics,
        logger: Logger, receiveBuffer: Int = 16 << 20
    ) {
        self.name = name
        self.path = path
        self.mode = mode
        self.sink = sink
        self.receiveBuffer = receiveBuffer
        intake = FrameIntake(listener: name, maxFrame: maxFrame, metrics: metrics, logger: logger)
    }

    /// Binds the socket file (or serves `descriptor`, passed by systemd) and
    /// starts the reader thread; returns the path.
    @discardableResult
    public func start(descriptor: CInt? = nil) throws -> String {
        let fd = try descriptor ?? bindSocket()
        ReceiveBuffer.raise(fd, to: receiveBuffer)
        socket.withLock { $0 = fd }
        let thread = Thread { [self] in
            readLoop(fd)
            close(fd)
            finished.store(true, ordering: .releasing)
            stopped.withLock { $0?.resume(); $0 = nil }
        }
        thread.name = "alertd-\(name)"
        thread.start()
        return path
    }

    private func bindSocket() throws -> CInt {
        try UnixSocketFile.removeStale(at: path)
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw UnixSocketError("socket(AF_UNIX, SOCK_DGRAM): \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw UnixSocketError("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw UnixSocketError("cannot bind \(path): \(reason)")
        }
        do {
            try UnixSocketFile.setMode(mode, at: path)
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Stops reading (what was read is already queued) and closes the socket.
    public func stop() async {
        let fd = socket.withLock { $0 }
        guard fd >= 0 else { return }
        stopping.store(true, ordering: .releasing)
        shutdown(fd, Int32(SHUT_RDWR))  // wakes the blocked recv
        await withCheckedContinuation { continuation in
            let done = stopped.withLock { slot -> Bool in
                if finished.load(ordering: .acquiring) { return true }
                slot = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func readLoop(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: intake.decoder.maxFrame + 1)
        while !stopping.load(ordering: .acquiring) {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_TRUNC)) }
            if stopping.load(ordering: .acquiring) { return }
            if count < 0 {
                if errno == EINTR { continue }
                intake.log.warning("recv failed: \(String(cString: strerror(errno)))", metadata: ["listener": "\(name)"])
                continue
            }
            // With MSG_TRUNC, recv returns the datagram's real length even
            // when it did not fit, so an oversized one is counted as such.
            let datagram: ArraySlice<UInt8>
            if count > buffer.count {
                intake.refuse(
                    DecodeError(.tooLarge, "datagram of \(count) bytes exceeds max_frame \(intake.decoder.maxFrame)"),
                    peer: "unix")
                continue
            } else {
                datagram = buffer[0..<count]
            }
            var batch: [Alert] = []
            intake.decode(datagram, peer: "unix", into: &batch)
            if !batch.isEmpty, !sink.offer(batch) {
                intake.refuse(DecodeError(.overload, "pipeline queue full; datagram dropped"), peer: "unix", count: batch.count)
            }
        }
    }
}
