import CSystemd
import Foundation

/// Sockets passed by systemd socket activation (`LISTEN_FDS`,
/// `LISTEN_FDNAMES`), by `FileDescriptorName=`.
public struct InheritedSockets: Sendable {
    private var byName: [String: [CInt]]

    /// Takes the passed descriptors (and unsets the `LISTEN_*` variables so
    /// child processes do not see them).
    public static func fromEnvironment() -> InheritedSockets {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        var byName: [String: [CInt]] = [:]
        guard count > 0 else { return InheritedSockets(byName: [:]) }
        for index in 0..<Int(count) {
            let fd = SD_LISTEN_FDS_START + CInt(index)
            let name = names?[index].map { String(cString: $0) } ?? "unknown"
            byName[name, default: []].append(fd)
            free(names?[index])
        }
        free(names)
        return InheritedSockets(byName: byName)
    }

    public init(byName: [String: [CInt]]) { self.byName = byName }

    public var isEmpty: Bool { byName.isEmpty }

    /// Removes and returns the descriptor named `name`, if one was passed.
    public mutating func take(_ name: String) -> CInt? {
        guard var fds = byName[name], !fds.isEmpty else { return nil }
        let fd = fds.removeFirst()
        byName[name] = fds.isEmpty ? nil : fds
        return fd
    }

    /// What no listener took: name and descriptor.
    public var leftovers: [(name: String, fd: CInt)] {
        byName.sorted { $0.key < $1.key }.flatMap { name, fds in fds.map { (name, $0) } }
    }
}
