import Foundation

/// Plain-socket clients, as an agent would send: one UDP datagram, a TCP
/// connection, a Unix stream connection.
enum Send {
    static func udp(_ payload: String, port: UInt16) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw E2EError("socket: \(errno)") }
        defer { close(fd) }
        var address = loopback(port)
        let bytes = Array(payload.utf8)
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == bytes.count else { throw E2EError("sendto: \(errno)") }
    }

    static func tcp(_ payload: String, port: UInt16) throws {
        let fd = try connectTCP(port)
        defer { close(fd) }
        try writeAll(fd, payload)
    }

    static func connectTCP(_ port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw E2EError("socket: \(errno)") }
        var address = loopback(port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw E2EError("connect 127.0.0.1:\(port): \(errno)")
        }
        return fd
    }

    static func unix(_ payload: String, path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw E2EError("socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw E2EError("connect \(path): \(errno)") }
        try writeAll(fd, payload)
    }

    static func writeAll(_ fd: Int32, _ payload: String) throws {
        var bytes = Array(payload.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw E2EError("write: \(errno)") }
            bytes = bytes.dropFirst(n)
        }
    }

    private static func loopback(_ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}

/// A TCP client that sends what a test says, when it says, and reads what
/// comes back: for clients that misbehave on purpose (slow headers).
final class RawTCPClient {
    private let fd: Int32

    init(port: UInt16) throws {
        fd = try Send.connectTCP(port)
        var wait = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try Send.writeAll(fd, text) }

    /// Everything the server sends until it closes the connection, or what
    /// came before the deadline (then `closed` is false).
    func readUntilClosed(timeout: Double) -> (text: String, closed: Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = read(fd, &buffer, buffer.count)
            if n == 0 { return (String(decoding: received, as: UTF8.self), true) }
            if n > 0 { received += buffer[0..<n] } else if errno != EAGAIN && errno != EINTR {
                return (String(decoding: received, as: UTF8.self), true)
            }
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    /// What the server sent within `timeout`, without waiting for a close.
    func readResponse(until marker: String, timeout: Double) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline, !String(decoding: received, as: UTF8.self).contains(marker) {
            let n = read(fd, &buffer, buffer.count)
            if n == 0 { break }
            if n > 0 { received += buffer[0..<n] }
        }
        return String(decoding: received, as: UTF8.self)
    }
}
