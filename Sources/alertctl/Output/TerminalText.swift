/// Makes untrusted text (alert titles, summaries, details) safe to print:
/// an alert must not be able to move the cursor, retitle the window or
/// hide text, so control characters become visible `\u{1B}` escapes.
enum TerminalText {
    static func escape(_ text: String, keepingNewlines: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar == "\t" || (keepingNewlines && scalar == "\n") || !isDangerous(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    /// C0 and C1 controls and DEL (ESC, CSI, OSC, BEL, CR …), plus the bidi
    /// overrides and isolates that reorder what the reader sees.
    private static func isDangerous(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00..<0x20, 0x7F..<0xA0: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
