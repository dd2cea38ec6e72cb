import Foundation

/// Housekeeping for Unix socket paths.
enum UnixSocketFile {
    /// Removes a socket file left by a previous run; refuses to remove
    /// anything that is not a socket.
    static func removeStale(at path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw UnixSocketError("\(path) exists and is not a socket; refusing to replace it")
        }
        unlink(path)
    }

    static func setMode(_ mode: UInt32, at path: String) throws {
        guard chmod(path, mode_t(mode)) == 0 else {
            throw UnixSocketError("cannot chmod \(path) to \(String(mode, radix: 8)): \(String(cString: strerror(errno)))")
        }
    }
}

struct UnixSocketError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
