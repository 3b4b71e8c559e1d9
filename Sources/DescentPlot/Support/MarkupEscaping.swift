/// Escaping of text placed in SVG and HTML documents.
///
/// Both formats share XML's rules for the five special characters. Control characters that
/// XML 1.0 forbids (everything below U+0020 except tab, line feed and carriage return) are
/// dropped, so any string a user passes produces a well-formed document.
enum MarkupEscaping {
    /// Returns `text` with `&`, `<`, `>`, `"` and `'` replaced by entities, safe both as
    /// element content and inside a double- or single-quoted attribute value.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            // Reserved for SVGBuilder's identifier placeholder; user text keeps it as a reference.
            case "\u{E000}": result += "&#xE000;"
            default:
                // XML 1.0 forbids C0 controls and the two non-characters U+FFFE, U+FFFF.
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
