/// The inside of a JSON string literal (RFC 8259 §7), written by the store
/// (labels, reasons and lists as JSON columns) and by webhook templates
/// (Mustache's JSON content type).
public enum JSONEscaping {
    /// Appends `value` to `text`, escaped for the inside of a JSON string:
    /// `"`, `\` and control characters; with `lineSeparators`, U+2028 and
    /// U+2029 too (valid in JSON, but they end a JavaScript string literal,
    /// and a template's JSON may end up in one).
    public static func append(_ value: String, to text: inout String, lineSeparators: Bool = false) {
        // Nearly every text needs no escape: copied whole.
        if !lineSeparators, !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            text += value
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{2028}" where lineSeparators, "\u{2029}" where lineSeparators:
                text += "\\u" + String(scalar.value, radix: 16)
            case _ where scalar.value < 0x20:
                text += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: text.unicodeScalars.append(scalar)
            }
        }
    }
}
