import Foundation
import Testing

/// A shell script written into `dir`, executable, run by the notifier as
/// argv[0] (the notifier itself never uses a shell).
func writeScript(_ dir: TemporaryDirectory, _ name: String, _ body: String) throws -> String {
    let path = dir.file(name)
    try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    return path
}

/// Whether `pid` has exited (gone, or a zombie nobody reaped yet).
func processIsGone(_ pid: Int32) -> Bool {
    if kill(pid, 0) != 0 { return true }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return true }
    return stat[stat.index(close, offsetBy: 2)] == "Z"
}
