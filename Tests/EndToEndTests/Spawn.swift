import Foundation

/// Runs a command to completion with `posix_spawn` and `waitpid`, capturing
/// stdout and stderr. Used instead of Foundation's `Process.waitUntilExit`,
/// which was seen to hang here while another child of the test process was
/// being replaced by `exec` (systemd-socket-activate → alertd).
enum Spawn {
    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which
    /// Swift's Glibc module does not export.
    private static let closeFrom: @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32 = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
            fatalError("glibc 2.34 or later is needed (posix_spawn_file_actions_addclosefrom_np)")
        }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    struct Result {
        let status: Int32
        let out: String
        let err: String
    }

    static func run(_ path: String, _ arguments: [String], timeout: Double = 60) throws -> Result {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw E2EError("pipe: \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        // Nothing else of the test process leaks into the command: a pipe end
        // of another helper (or of a command spawned at the same time from
        // another thread) held open by it would hold that one's EOF back.
        _ = closeFrom(&actions, 3)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw E2EError("posix_spawn \(path): \(spawned)")
        }
        // Read stderr on another thread so neither pipe can fill and block the child.
        let errData = DrainedPipe(errPipe[0])
        let out = readAll(outPipe[0])
        let err = errData.wait()
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                throw E2EError("\(path) \(arguments) did not exit within \(timeout)s")
            }
            usleep(5_000)
        }
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: code, out: String(decoding: out, as: UTF8.self), err: String(decoding: err, as: UTF8.self))
    }

    /// `run` on a thread of its own, for commands that take a while: a
    /// blocked thread of the cooperative pool (two here, one per core) is
    /// one less for every other test running in parallel, and with both
    /// blocked their timers and deadlines stall.
    static func runOffPool(_ path: String, _ arguments: [String], timeout: Double = 60) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Swift.Result { try run(path, arguments, timeout: timeout) }) }.start()
        }
    }

    static func readAll(_ fd: Int32) -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        close(fd)
        return data
    }
}

/// A pipe read to EOF on its own thread.
private final class DrainedPipe: @unchecked Sendable {
    private var data: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)

    init(_ fd: Int32) {
        Thread { [self] in
            data = Spawn.readAll(fd)
            done.signal()
        }.start()
    }

    func wait() -> [UInt8] {
        done.wait()
        return data
    }
}
