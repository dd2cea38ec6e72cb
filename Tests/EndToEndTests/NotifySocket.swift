import Foundation
import Synchronization

/// Plays systemd's side of `sd_notify`: an AF_UNIX datagram socket the test
/// binds; alertd's `NOTIFY_SOCKET` points at it and every notification
/// arrives as one datagram, recorded with its arrival time.
final class NotifySocket: @unchecked Sendable {
    struct Message {
        let at: Date
        let text: String
        var fields: [String: String] {
            Dictionary(text.split(separator: "\n").compactMap { line in
                line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) }
            }, uniquingKeysWith: { $1 })
        }
    }

    let path: String
    private let fd: Int32
    private let received = Mutex<[Message]>([])
    private let closed = Atomic<Bool>(false)

    init(directory: URL) throws {
        path = directory.appendingPathComponent("notify.sock").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw E2EError("socket: \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw E2EError("bind \(path): \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !closed.load(ordering: .relaxed) {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 {
                    let message = Message(at: Date(), text: String(decoding: buffer[0..<n], as: UTF8.self))
                    received.withLock { $0.append(message) }
                }
            }
            close(fd)
        }
        thread.start()
    }

    deinit { closed.store(true, ordering: .relaxed) }

    var messages: [Message] { received.withLock { $0 } }

    /// Messages that set `field` (e.g. "READY"), in arrival order.
    func messages(with field: String) -> [Message] { messages.filter { $0.fields[field] != nil } }

    /// Waits (with a deadline) until a message after the first `skip` ones sets `field`; returns it.
    @discardableResult
    func waitFor(_ field: String, value: String? = nil, after skip: Int = 0, timeout: Double = 20) throws -> Message {
        var found: Message?
        try waitUntil("sd_notify sends \(field)\(value.map { "=\($0)" } ?? "")", timeout: timeout) {
            found = messages.dropFirst(skip).first { $0.fields[field] != nil && (value == nil || $0.fields[field] == value) }
            return found != nil
        }
        return found!
    }
}
