/// Words for "unknown key" problems: the closest allowed key when the
/// unknown one looks like a typo of it, and the list of keys allowed there.
enum KeySuggester {
    static func unknownKeyMessage(_ key: String, allowed: [String]) -> String {
        var message = "unknown key `\(key)`"
        if let guess = closest(to: key, among: allowed) { message += "; did you mean `\(guess)`?" }
        if allowed.isEmpty { return message + "; no keys are allowed here" }
        return message + " (allowed here: \(allowed.joined(separator: ", ")))"
    }

    /// `a, b or c` in backquotes, for "expected a mapping of …".
    static func list(_ keys: [String]) -> String {
        let quoted = keys.map { "`\($0)`" }
        guard quoted.count > 1 else { return quoted.first ?? "keys" }
        return quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    }

    /// The allowed key nearest to `key`, if near enough to be a typo:
    /// case differences are free, and about one edit per three letters is
    /// tolerated (`max_frmae` → `max_frame`, `severty` → `severity`).
    static func closest(to key: String, among candidates: [String]) -> String? {
        let lowered = key.lowercased()
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            let tolerance = max(1, min(3, candidate.count / 3))
            guard distance <= tolerance else { continue }
            if best == nil || distance < best!.distance { best = (candidate, distance) }
        }
        return best?.candidate
    }

    /// Optimal string alignment distance: insertions, deletions,
    /// substitutions and swaps of neighbours each cost one.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
