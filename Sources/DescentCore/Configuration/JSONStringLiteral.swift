/// `text` as a JSON string literal (RFC 8259 §7): in double quotes, with `"` and `\` escaped,
/// line feed, carriage return and tab as `\n`, `\r`, `\t`, and every other control character
/// below U+0020 as `\u00XX`, so any text gives valid JSON.
///
/// The one quoting routine of the hand-written JSON in Descent (safetensors headers, the CLI's
/// `--format json` outputs, benchmark records), which is written by hand to keep key order and
/// number formatting stable. Equivalent to Python's `json.dumps(text)` with `ensure_ascii=False`.
public func jsonStringLiteral(_ text: String) -> String {
    var out = "\""
    out.reserveCapacity(text.utf8.count + 2)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
