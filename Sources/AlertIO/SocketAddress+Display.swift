import NIOCore

extension SocketAddress {
    /// `127.0.0.1:5140`, `[::1]:5140` or the socket path: what an admin types.
    public var displayString: String {
        switch self {
        case .v4: return "\(ipAddress ?? "?"):\(port ?? 0)"
        case .v6: return "[\(ipAddress ?? "?")]:\(port ?? 0)"
        case .unixDomainSocket: return pathname ?? "unix"
        }
    }
}
