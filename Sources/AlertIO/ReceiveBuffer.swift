import Glibc

/// A datagram socket's receive buffer: what absorbs a burst while alertd is
/// busy (UDP and Unix datagrams cannot push back on the sender).
enum ReceiveBuffer {
    /// Raises the buffer of `fd` to `bytes`, never lowers it: a socket that
    /// systemd passed may already have more (`ReceiveBuffer=` in the
    /// `.socket` unit, set with privilege). Tries `SO_RCVBUFFORCE` first,
    /// which root or `CAP_NET_ADMIN` may use beyond `net.core.rmem_max`, then
    /// `SO_RCVBUF` (capped there). Returns the size in effect.
    @discardableResult
    static func raise(_ fd: CInt, to bytes: Int) -> Int {
        let before = current(fd)
        guard before < bytes else { return before }
        var size = Int32(clamping: bytes)
        let length = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, length) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, length)
        }
        return max(before, current(fd))
    }

    /// The usable size: Linux reports twice what was set (the other half is
    /// its own bookkeeping), so this is half of what `getsockopt` says.
    static func current(_ fd: CInt) -> Int {
        var size: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, &length) == 0 else { return 0 }
        return Int(size) / 2
    }
}
