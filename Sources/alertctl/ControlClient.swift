#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking client for control.sock: one request line out, one response
/// line back, over a Unix stream socket. Every read and write has a timeout,
/// so a wedged daemon cannot hang the CLI.
struct ControlClient {
    var socketPath: String
    var timeoutSeconds = 30
    /// A response longer than this is refused rather than buffered forever.
    var maxResponseBytes = 64 << 20

    /// Sends `request` (without the newline) and returns the response line
    /// (without its newline).
    func exchange(_ request: [UInt8]) throws(ControlClientError) -> [UInt8] {
        let fd = try connectSocket()
        defer { close(fd) }
        try writeAll(fd, request + [UInt8(ascii: "\n")])
        return try readLine(fd)
    }

    private func connectSocket() throws(ControlClientError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            throw .unreachable(path: socketPath, reason: "path longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }

        #if canImport(Darwin)
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #else
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #endif
        guard fd >= 0 else { throw .unreachable(path: socketPath, reason: Self.errnoText()) }

        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        let timeoutSize = socklen_t(MemoryLayout<timeval>.size)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, timeoutSize)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, timeoutSize)

        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        var result: Int32
        repeat {
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
            }
        } while result != 0 && errno == EINTR
        guard result == 0 else {
            let code = errno
            close(fd)
            var reason = Self.errnoText(code)
            if code == EACCES { reason += " (control.sock is for root and the socket's group)" }
            throw .unreachable(path: socketPath, reason: reason)
        }
        return fd
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(ControlClientError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                // MSG_NOSIGNAL: a daemon that hangs up must not kill us with SIGPIPE.
                send(fd, raw.baseAddress! + offset, raw.count - offset, Self.noSignal)
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    throw .timedOut(path: socketPath, seconds: timeoutSeconds)
                }
                throw .broken(path: socketPath, reason: "write: \(Self.errnoText())")
            }
            offset += written
        }
    }

    private func readLine(_ fd: Int32) throws(ControlClientError) -> [UInt8] {
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    throw .timedOut(path: socketPath, seconds: timeoutSeconds)
                }
                throw .broken(path: socketPath, reason: "read: \(Self.errnoText())")
            }
            if count == 0 {
                // A daemon that closes after a complete object without "\n" is tolerated.
                if response.isEmpty {
                    throw .broken(path: socketPath, reason: "connection closed without a response")
                }
                return response
            }
            let received = chunk[0..<count]
            if let newline = received.firstIndex(of: UInt8(ascii: "\n")) {
                response += received[..<newline]
                return response
            }
            response += received
            guard response.count <= maxResponseBytes else {
                throw .broken(path: socketPath, reason: "response longer than \(maxResponseBytes) bytes")
            }
        }
    }

    #if canImport(Darwin)
    private static let noSignal: Int32 = 0
    #else
    private static let noSignal = Int32(MSG_NOSIGNAL)
    #endif

    private static func errnoText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}

/// Why a control-socket exchange failed.
enum ControlClientError: Error {
    /// No daemon there: missing socket, refused, no permission.
    case unreachable(path: String, reason: String)
    /// Connected, but no answer in time.
    case timedOut(path: String, seconds: Int)
    /// Connected, but the exchange broke off.
    case broken(path: String, reason: String)

    var message: String {
        switch self {
        case .unreachable(let path, let reason):
            "cannot reach alertd at \(path): \(reason); is it running? use --socket"
        case .timedOut(let path, let seconds):
            "alertd at \(path) did not answer within \(seconds) s"
        case .broken(let path, let reason):
            "lost alertd at \(path): \(reason)"
        }
    }
}
