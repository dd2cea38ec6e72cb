import Glibc
import Testing

/// A plain client socket, as a sender (`logger`, `nc`, an agent) would open.
///
/// Reads never block a thread: they poll the socket without waiting and sleep
/// between polls, so the listener's own tasks keep the cooperative pool.
final class ClientSocket {
    enum Read: Equatable {
        case data([UInt8])
        /// The peer closed the connection (or reset it).
        case closed
        case timedOut
    }

    private(set) var fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { close() }

    static func tcp(port: Int, host: String = "127.0.0.1") throws -> ClientSocket {
        let socket = ClientSocket(fd: Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0))
        var address = try inetAddress(host: host, port: port)
        try socket.check(
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socket.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }, "connect to \(host):\(port)")
        return socket
    }

    static func unix(path: String) throws -> ClientSocket {
        let socket = ClientSocket(fd: Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0))
        var address = try unixAddress(path)
        try socket.check(
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socket.fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }, "connect to \(path)")
        return socket
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            try check(n < 0 ? -1 : 0, "send")
            sent += n
        }
    }

    /// Waits up to `deadline` for bytes or for the peer to close.
    func read(deadline: Duration = .seconds(20)) async throws -> Read {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: deadline)
        while true {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, 0) > 0 {
                var buffer = [UInt8](repeating: 0, count: 64 * 1024)
                let n = recv(fd, &buffer, buffer.count, 0)
                if n > 0 { return .data(Array(buffer.prefix(n))) }
                if n == 0 || errno == ECONNRESET { return .closed }
                try check(-1, "recv")
            }
            if clock.now >= end { return .timedOut }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Reads until `count` newline-terminated lines have arrived.
    func readLines(_ count: Int, deadline: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> [String]
    {
        var bytes: [UInt8] = []
        while bytes.count(where: { $0 == UInt8(ascii: "\n") }) < count {
            switch try await read(deadline: deadline) {
            case .data(let more): bytes += more
            case .closed:
                Issue.record("connection closed after \(bytes.count) bytes", sourceLocation: sourceLocation)
                throw SocketError("closed")
            case .timedOut:
                Issue.record("timed out after \(deadline) waiting for \(count) lines", sourceLocation: sourceLocation)
                throw SocketError("timed out")
            }
        }
        return bytes.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
    }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }

    private func check(_ result: Int32, _ what: String) throws {
        if result < 0 { throw SocketError("\(what): \(String(cString: strerror(errno)))") }
    }
}

/// Sends one UDP datagram to 127.0.0.1:`port`.
func sendDatagram(_ bytes: [UInt8], toPort port: Int) throws {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    var address = try inetAddress(host: "127.0.0.1", port: port)
    let sent = bytes.withUnsafeBytes { payload in
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, payload.baseAddress, payload.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }
    guard sent == bytes.count else { throw SocketError("sendto: \(String(cString: strerror(errno)))") }
}

func sendDatagram(_ text: String, toPort port: Int) throws { try sendDatagram(Array(text.utf8), toPort: port) }

/// Leaves a socket file at `path` with nobody listening, as a crashed daemon does.
func makeStaleSocketFile(at path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = try unixAddress(path)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard bound == 0 else { throw SocketError("bind \(path): \(String(cString: strerror(errno)))") }
}

/// The permission bits and file type of `path` (lstat).
func fileMode(_ path: String) throws -> (permissions: UInt32, isSocket: Bool) {
    var info = stat()
    guard lstat(path, &info) == 0 else { throw SocketError("stat \(path): \(String(cString: strerror(errno)))") }
    return (UInt32(info.st_mode) & 0o777, (info.st_mode & S_IFMT) == S_IFSOCK)
}

struct SocketError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

private func inetAddress(host: String, port: Int) throws -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw SocketError("bad IPv4 address \(host)") }
    return address
}

private func unixAddress(_ path: String) throws -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw SocketError("path too long: \(path)") }
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    return address
}

/// Sends one datagram to the Unix datagram socket at `path`, from a socket
/// bound to `boundPath`, or from an unbound one (as `logger` does) when nil.
func sendDatagram(_ text: String, toPath path: String, from boundPath: String?) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    if let boundPath {
        var own = try unixAddress(boundPath)
        let bound = withUnsafePointer(to: &own) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw SocketError("bind \(boundPath): \(String(cString: strerror(errno)))") }
    }
    var address = try unixAddress(path)
    let bytes = Array(text.utf8)
    let sent = bytes.withUnsafeBytes { payload in
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, payload.baseAddress, payload.count, 0, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }
    guard sent == bytes.count else { throw SocketError("sendto \(path): \(String(cString: strerror(errno)))") }
}
