/// One field of a CSV record: a byte range in the file, without its surrounding quotes.
struct CSVField {
    /// The first byte of the content.
    var start: Int
    /// One past the last byte of the content.
    var end: Int
    /// The field was quoted and contains doubled quotes (`""`) that stand for one quote.
    var hasEscapedQuotes: Bool
}

/// Splits CSV bytes into records and fields following RFC 4180, without copying.
///
/// - Fields are separated by `delimiter`; records end with LF, CRLF or CR.
/// - A field that starts with `"` is quoted: it may contain delimiters, line breaks and `""`
///   (one quote), and must be followed by a delimiter or the end of the record.
/// - A quote inside an unquoted field is an error (RFC 4180 requires such fields to be quoted).
/// - Blank lines are skipped; a final line break does not start a record.
/// Errors name the line and field (1-based) and say what was expected.
struct CSVTokenizer {
    let bytes: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    let file: String
    /// The next byte to read.
    var position: Int
    /// The 1-based line of `position`.
    var line: Int
    /// The 1-based line where the last record returned by ``nextRecord(into:)`` starts.
    private(set) var recordLine = 0
    /// The byte position where the last record returned by ``nextRecord(into:)`` starts.
    private(set) var recordStart: Int?

    init(bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, file: String, position: Int = 0, line: Int = 1) {
        self.bytes = bytes
        self.delimiter = delimiter
        self.file = file
        self.position = position
        self.line = line
    }

    static let quote = UInt8(ascii: "\"")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")

    /// Reads the next record's fields into `fields` (cleared first). Returns `false` at the end.
    mutating func nextRecord(into fields: inout [CSVField]) throws -> Bool {
        fields.removeAll(keepingCapacity: true)
        let count = bytes.count
        let base = bytes.baseAddress!
        // Skip blank lines.
        while position < count, base[position] == Self.newline || base[position] == Self.carriageReturn {
            if base[position] == Self.newline || position + 1 == count || base[position + 1] != Self.newline { line += 1 }
            position += 1
        }
        guard position < count else { return false }
        recordLine = line
        recordStart = position
        while true {
            if base[position] == Self.quote {
                try readQuotedField(into: &fields)
            } else {
                // Unquoted: scan to the delimiter or end of line.
                let start = position
                while position < count {
                    let byte = base[position]
                    if byte == delimiter || byte == Self.newline || byte == Self.carriageReturn { break }
                    if byte == Self.quote {
                        throw DataError(file: file, line: line, column: fields.count + 1,
                                        "a quote (\") inside an unquoted field; quote the whole field and write a quote inside it as \"\"")
                    }
                    position += 1
                }
                fields.append(CSVField(start: start, end: position, hasEscapedQuotes: false))
            }
            if position >= count { return true }
            let byte = base[position]
            position += 1
            if byte == delimiter {
                if position >= count { fields.append(CSVField(start: position, end: position, hasEscapedQuotes: false)); return true }
                continue
            }
            // End of record: LF, CRLF or CR.
            if byte == Self.carriageReturn, position < count, base[position] == Self.newline { position += 1 }
            line += 1
            return true
        }
    }

    private mutating func readQuotedField(into fields: inout [CSVField]) throws {
        let count = bytes.count
        let base = bytes.baseAddress!
        let openingLine = line
        position += 1
        let start = position
        var escaped = false
        while true {
            guard position < count else {
                throw DataError(file: file, line: openingLine, column: fields.count + 1,
                                "the quoted field that starts here is never closed; add the closing quote (\")")
            }
            let byte = base[position]
            if byte == Self.quote {
                if position + 1 < count, base[position + 1] == Self.quote {
                    escaped = true
                    position += 2
                    continue
                }
                fields.append(CSVField(start: start, end: position, hasEscapedQuotes: escaped))
                position += 1
                if position < count {
                    let next = base[position]
                    if next != delimiter && next != Self.newline && next != Self.carriageReturn {
                        throw DataError(file: file, line: line, column: fields.count,
                                        "expected a delimiter or the end of the line after the closing quote, found \"\(Character(Unicode.Scalar(next)))\"")
                    }
                }
                return
            }
            if byte == Self.newline || (byte == Self.carriageReturn && (position + 1 == count || base[position + 1] != Self.newline)) {
                line += 1
            }
            position += 1
        }
    }

    /// The text of `field`, with `""` turned back into `"`.
    func string(_ field: CSVField) -> String {
        let slice = UnsafeBufferPointer(rebasing: bytes[field.start..<field.end])
        let text = String(decoding: slice, as: UTF8.self)
        return field.hasEscapedQuotes ? text.split(separator: "\"\"", omittingEmptySubsequences: false).joined(separator: "\"") : text
    }

    /// The number in `field`.
    @inline(__always) func number(_ field: CSVField) -> ParsedNumber {
        NumberParser.parse(bytes.baseAddress! + field.start, field.end - field.start)
    }
}
