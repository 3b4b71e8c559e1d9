/// Finds the field delimiter of delimited text from its first lines.
///
/// Each candidate — `,` `;` tab `|`, in that order of preference — is counted outside quotes on
/// every complete line of a sample (the first ``sampleLines`` lines, or as many as fit in
/// ``sampleBytes``; blank lines skipped). A candidate is *consistent* when it splits every sampled
/// line into the same number of fields, at least two. The consistent candidate with the most
/// fields wins, the earlier one on a tie; when none is consistent, the candidate that gives the
/// first line's field count on the most lines (at least two fields on the first line); when no
/// candidate appears at all, a comma (the file then reads as one column).
///
/// - pandas: `read_csv(sep=None, engine="python")` (Python's `csv.Sniffer`); DuckDB's
///   `sniff_csv` also checks field-count consistency over a sample.
enum CSVDelimiterDetection {
    /// The candidates, in order of preference.
    static let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]
    /// At most this many lines are sampled.
    static let sampleLines = 100
    /// At most this many bytes are sampled (a line cut by the limit is not counted).
    static let sampleBytes = 1 << 20

    /// What detection found.
    struct Result: Equatable {
        /// The delimiter to use.
        var delimiter: UInt8
        /// Fields per line that `delimiter` gives on the first sampled line.
        var fields: Int
        /// Every sampled line has `fields` fields (and at least two).
        var isConsistent: Bool
    }

    /// Detects the delimiter of the text in `bytes`.
    static func detect(in bytes: UnsafeBufferPointer<UInt8>) -> Result {
        guard let base = bytes.baseAddress else { return Result(delimiter: candidates[0], fields: 1, isConsistent: false) }
        let limit = Swift.min(bytes.count, sampleBytes)
        var firstCounts: [Int]?
        var agreeing = [Int](repeating: 0, count: candidates.count)
        var counts = [Int](repeating: 0, count: candidates.count)
        var lines = 0
        var inQuotes = false
        var lineHasContent = false
        var position = 0
        func endLine() {
            if lineHasContent {
                if firstCounts == nil { firstCounts = counts }
                for k in candidates.indices where counts[k] == firstCounts![k] { agreeing[k] += 1 }
                lines += 1
            }
            counts = [Int](repeating: 0, count: candidates.count)
            lineHasContent = false
        }
        while position < limit && lines < sampleLines {
            let byte = base[position]
            position += 1
            if byte == UInt8(ascii: "\"") {
                inQuotes.toggle()
                lineHasContent = true
            } else if inQuotes {
                continue
            } else if byte == 10 || byte == 13 {
                endLine()
            } else if let k = candidates.firstIndex(of: byte) {
                counts[k] += 1
                lineHasContent = true
            } else if byte != 0x20 {
                lineHasContent = true
            }
        }
        // The last line counts when the file ends there (not when the sample limit cut it).
        if position == bytes.count && !inQuotes { endLine() }
        guard let first = firstCounts, lines > 0 else { return Result(delimiter: candidates[0], fields: 1, isConsistent: false) }
        var best: Int?
        for k in candidates.indices where first[k] >= 1 && agreeing[k] == lines {
            if best == nil || first[k] > first[best!] { best = k }
        }
        if let best { return Result(delimiter: candidates[best], fields: first[best] + 1, isConsistent: true) }
        var fallback: Int?
        for k in candidates.indices where first[k] >= 1 {
            if fallback == nil || agreeing[k] > agreeing[fallback!] { fallback = k }
        }
        let chosen = fallback ?? 0
        return Result(delimiter: candidates[chosen], fields: first[chosen] + 1, isConsistent: false)
    }

    /// A delimiter's name in messages: `comma`, `semicolon`, `tab`, `pipe` or the character.
    static func name(_ delimiter: UInt8) -> String {
        switch delimiter {
        case UInt8(ascii: ","): return "comma"
        case UInt8(ascii: ";"): return "semicolon"
        case UInt8(ascii: "\t"): return "tab"
        case UInt8(ascii: "|"): return "pipe"
        default: return "'\(Character(Unicode.Scalar(delimiter)))'"
        }
    }

    /// The delimiter as an option value: `','`, `';'`, `'\t'`, `'|'`.
    static func optionValue(_ delimiter: UInt8) -> String {
        delimiter == 9 ? "'\\t'" : "'\(Character(Unicode.Scalar(delimiter)))'"
    }

    /// What to tell a user whose rows have one field under `used`: the delimiter the text seems to
    /// use instead, or that none of the candidates separates it.
    static func oneFieldAdvice(in bytes: UnsafeBufferPointer<UInt8>, used: UInt8) -> String {
        let found = detect(in: bytes)
        if found.delimiter != used && found.fields >= 2 {
            return "the file looks \(name(found.delimiter))-separated: give the delimiter \(optionValue(found.delimiter)) (--delimiter \(optionValue(found.delimiter)))"
        }
        return "no comma, semicolon, tab or pipe separates its first lines: is it delimited text? Give the delimiter if it is another character (--delimiter)"
    }
}
