import DescentCore

/// What the parse of one file needs to know, shared read-only by every chunk.
struct CSVParseContext {
    let bytes: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    let file: String
    let layout: CSVLayout
    let options: CSVOptions
    var featureCount: Int { layout.featureColumns.count }
    var targetCount: Int { layout.targetColumns.count }
    /// Target cells are kept as text too (the target may hold class labels).
    var wantsText: Bool { options.targetKind != .regression }
}

/// What parsing one chunk produced besides the rows it wrote.
struct CSVChunkResult {
    /// Rows written (kept rows; dropped rows are not written).
    var rows = 0
    /// Line breaks consumed, so later chunks can number their lines.
    var lines = 0
    /// Rows dropped for a missing value (``MissingValuePolicy/drop``, or a missing target under `.mean`).
    var droppedRows = 0
    /// Feature cells left as NaN, to be filled (``MissingValuePolicy/mean``).
    var filledCells = 0
    var targetText: [String] = []
    var categorical: [[String]] = []
    /// The first target cell that is not a number (line relative to the chunk).
    var firstTextTarget: (line: Int, text: String)?
    /// The first error in the chunk (line relative to the chunk), where parsing stopped.
    var error: DataError?
    /// The chunk has more records than its row bound (records ended by lone carriage returns).
    var overflowed = false
}

/// Parses the records of one byte range into rows of a shared buffer.
///
/// The fast path reads a record straight from the bytes: each numeric field with
/// ``NumberParser/scan(_:from:to:)`` up to the delimiter, no field list and no `String`. Anything
/// it does not expect — a quote, a blank line, a space around a number, a missing value, text, a
/// wrong field count — sends that one record to the careful path: ``CSVTokenizer`` (RFC 4180
/// quoting) and the same per-cell checks and error messages as before the loader was parallel,
/// so errors and missing-value handling do not depend on which path read the record.
struct CSVChunkParser<T: TensorScalar> {
    let context: CSVParseContext
    /// The chunk's bytes (a slice of the file; positions below are relative to it).
    let base: UnsafePointer<UInt8>
    let end: Int
    /// Row 0 of this chunk in the feature and target buffers, and how many rows fit.
    let features: UnsafeMutablePointer<T>
    let targets: UnsafeMutablePointer<T>
    let capacity: Int
    var result = CSVChunkResult()
    var tokenizer: CSVTokenizer
    var fields: [CSVField] = []

    init(context: CSVParseContext, range: Range<Int>, features: UnsafeMutablePointer<T>, targets: UnsafeMutablePointer<T>, capacity: Int) {
        self.context = context
        let slice = UnsafeBufferPointer(rebasing: context.bytes[range])
        // An empty slice still needs a base address for the pointer arithmetic below.
        base = slice.baseAddress ?? context.bytes.baseAddress!
        end = slice.count
        self.features = features
        self.targets = targets
        self.capacity = capacity
        tokenizer = CSVTokenizer(bytes: UnsafeBufferPointer(start: base, count: end), delimiter: context.delimiter, file: context.file)
        result.categorical = [[String]](repeating: [], count: context.layout.categoricalColumns.count)
    }

    /// Parses every record; stops at the first error (kept in ``result``).
    mutating func run() {
        let hasText = context.wantsText || !context.layout.categoricalColumns.isEmpty
        var position = 0
        var line = 1
        let runs = CSVColumnRun.runs(of: context.layout.roles, wantsText: context.wantsText)
        runs.withUnsafeBufferPointer { runs in
            while position < end {
                if result.rows == capacity {
                    // A record may still follow (lone CR line ends); the careful path finds out.
                    if !careful(from: position, line: line, position: &position, lineAfter: &line) { return }
                    continue
                }
                let textMarks = hasText ? textMarks() : nil
                if let next = fastRecord(at: position, line: line, runs: runs, row: result.rows) {
                    if next.endsLine { line += 1 }
                    position = next.position
                    result.rows += 1
                    continue
                }
                if let textMarks { rollBackText(to: textMarks) }
                if !careful(from: position, line: line, position: &position, lineAfter: &line) { return }
            }
        }
        result.lines = line - 1
    }

    /// Reads one record on the fast path into row `row`; `nil` when the record needs the careful path.
    ///
    /// The columns are walked as runs (``CSVColumnRun``), so the MNIST case — 784 features in file
    /// order — is one tight loop of number, store, delimiter, with no per-column dispatch.
    @inline(__always)
    mutating func fastRecord(at start: Int, line: Int, runs: UnsafeBufferPointer<CSVColumnRun>, row: Int) -> (position: Int, endsLine: Bool)? {
        let delimiter = context.delimiter
        let s = base, end = self.end
        let featureRow = features + row * context.featureCount
        let targetRow = targets + row * context.targetCount
        var q = start
        if q < end && (s[q] == 10 || s[q] == 13) { return nil }
        for run in runs {
            switch run.kind {
            case .features, .targets:
                // A quote, a space or anything else but a plain number makes scan return nil.
                let out = (run.kind == .features ? featureRow : targetRow) + run.destination
                for j in 0..<run.count {
                    var (value, stop) = NumberParser.shortInteger(s, from: q, to: end)
                    if stop < 0 {
                        guard let number = NumberParser.scanFast(s, from: q, to: end) else { return nil }
                        (value, stop) = number
                    }
                    out[j] = T(value)
                    q = stop
                    if j + 1 < run.count || !run.isLast {
                        guard q < end && s[q] == delimiter else { return nil }
                        q += 1
                    }
                }
            case .textTarget:
                let fieldStart = q
                guard let stop = Self.fieldEnd(s, from: q, to: end, delimiter: delimiter) else { return nil }
                q = stop
                let parsed = NumberParser.parse(s + fieldStart, stop - fieldStart)
                let text = String(decoding: UnsafeBufferPointer(start: s + fieldStart, count: stop - fieldStart), as: UTF8.self)
                if case .number(let value) = parsed, value.isFinite {
                    targetRow[run.destination] = T(value)
                } else if case .invalid = parsed {
                    // A class label such as "setosa": kept as text, the value unused.
                    targetRow[run.destination] = 0
                    if result.firstTextTarget == nil { result.firstTextTarget = (line, text) }
                } else {
                    return nil
                }
                result.targetText.append(text.trimmingSpaces())
                if !run.isLast {
                    guard q < end && s[q] == delimiter else { return nil }
                    q += 1
                }
            case .categorical, .ignored:
                for j in 0..<run.count {
                    let fieldStart = q
                    guard let stop = Self.fieldEnd(s, from: q, to: end, delimiter: delimiter) else { return nil }
                    q = stop
                    if run.kind == .categorical {
                        let text = String(decoding: UnsafeBufferPointer(start: s + fieldStart, count: stop - fieldStart), as: UTF8.self).trimmingSpaces()
                        if text.isEmpty { return nil }
                        result.categorical[run.destination + j].append(text)
                    }
                    if j + 1 < run.count || !run.isLast {
                        guard q < end && s[q] == delimiter else { return nil }
                        q += 1
                    }
                }
            }
        }
        // The end of the record: the end of the chunk, LF, CRLF or CR.
        if q == end { return (q, false) }
        let byte = s[q]
        if byte == 10 { return (q + 1, true) }
        guard byte == 13 else { return nil }
        return (q + 1 < end && s[q + 1] == 10 ? q + 2 : q + 1, true)
    }

    /// The end of an unquoted field starting at `start`, or `nil` if it holds a quote.
    @inline(__always)
    static func fieldEnd(_ s: UnsafePointer<UInt8>, from start: Int, to end: Int, delimiter: UInt8) -> Int? {
        var i = start
        while i < end {
            let byte = s[i]
            if byte == delimiter || byte == 10 || byte == 13 { return i }
            if byte == UInt8(ascii: "\"") { return nil }
            i += 1
        }
        return i
    }

    /// How much text the result holds, to undo a record's text when the record is redone or dropped.
    struct TextMarks {
        var targets: Int, categorical: [Int], hadTextTarget: Bool
    }

    func textMarks() -> TextMarks {
        TextMarks(targets: result.targetText.count, categorical: result.categorical.map(\.count), hadTextTarget: result.firstTextTarget != nil)
    }

    mutating func rollBackText(to marks: TextMarks) {
        if result.targetText.count > marks.targets { result.targetText.removeLast(result.targetText.count - marks.targets) }
        for k in result.categorical.indices where result.categorical[k].count > marks.categorical[k] {
            result.categorical[k].removeLast(result.categorical[k].count - marks.categorical[k])
        }
        if !marks.hadTextTarget { result.firstTextTarget = nil }
    }

    /// Reads the next record (after any blank lines) on the careful path. Returns `false` when the
    /// chunk is finished: its end, an error (in ``result``), or an overflow.
    mutating func careful(from start: Int, line: Int, position: inout Int, lineAfter: inout Int) -> Bool {
        tokenizer.position = start
        tokenizer.line = line
        do {
            let more = try carefulRecord()
            position = more ? tokenizer.position : end
            lineAfter = tokenizer.line
            return more && !result.overflowed
        } catch let error as DataError {
            result.error = error
        } catch {
            result.error = DataError(file: context.file, "\(error)")
        }
        return false
    }

    /// One record through the tokenizer, with every check and message of the sequential loader
    /// and the missing-value policy. Returns `false` at the end of the chunk.
    mutating func carefulRecord() throws -> Bool {
        guard try tokenizer.nextRecord(into: &fields) else { return false }
        let layout = context.layout, file = context.file
        let line = tokenizer.recordLine
        guard result.rows < capacity else {
            result.overflowed = true
            return true
        }
        guard fields.count == layout.names.count else {
            throw DataError(file: file, line: line,
                            "expected \(layout.names.count) fields (as in \(context.options.hasHeader ? "the header" : "the first row")), found \(fields.count)"
                            + (fields.count > layout.names.count ? "; check the delimiter and quoting" : ""))
        }
        let policy = context.options.missingValues
        let featureRow = features + result.rows * context.featureCount
        let targetRow = targets + result.rows * context.targetCount
        let textMarks = textMarks()
        var dropRow = false
        var filled = 0
        for column in 0..<fields.count {
            let field = fields[column]
            switch layout.roles[column] {
            case .feature(let k):
                let parsed = tokenizer.number(field)
                if case .number(let x) = parsed, x.isFinite {
                    featureRow[k] = T(x)
                } else if policy != .error && Self.isMissing(parsed) {
                    if policy == .drop { dropRow = true } else { featureRow[k] = .nan; filled += 1 }
                } else {
                    throw layout.numberError(parsed, text: tokenizer.string(field), file: file, line: line, column: column, role: "feature")
                }
            case .categorical(let k):
                let text = tokenizer.string(field).trimmingSpaces()
                if text.isEmpty {
                    if policy == .drop { dropRow = true } else {
                        throw layout.numberError(.missing, text: "", file: file, line: line, column: column, role: "categorical")
                    }
                }
                result.categorical[k].append(text)
            case .target(let k):
                let parsed = tokenizer.number(field)
                if case .number(let x) = parsed, x.isFinite {
                    targetRow[k] = T(x)
                } else if case .invalid = parsed, context.wantsText {
                    targetRow[k] = 0
                    if result.firstTextTarget == nil { result.firstTextTarget = (line, tokenizer.string(field)) }
                } else if policy != .error && Self.isMissing(parsed) {
                    dropRow = true
                } else {
                    throw layout.numberError(parsed, text: tokenizer.string(field), file: file, line: line, column: column, role: "target")
                }
                if context.wantsText { result.targetText.append(tokenizer.string(field).trimmingSpaces()) }
            case .ignored:
                break
            }
        }
        if dropRow {
            rollBackText(to: textMarks)
            result.droppedRows += 1
        } else {
            result.filledCells += filled
            result.rows += 1
        }
        return true
    }

    /// Missing under the `drop` and `mean` policies: an empty cell, a marker, or NaN (as pandas).
    static func isMissing(_ parsed: ParsedNumber) -> Bool {
        switch parsed {
        case .missing: return true
        case .number(let x): return x.isNaN
        case .invalid: return false
        }
    }
}

/// Consecutive columns that the fast path reads the same way, into consecutive destinations.
struct CSVColumnRun {
    enum Kind { case features, targets, textTarget, categorical, ignored }
    var kind: Kind
    var count: Int
    /// The feature, target or categorical index of the run's first column.
    var destination: Int
    /// The run ends the record (no delimiter after its last field).
    var isLast = false

    /// The runs of `roles`, in column order. Targets that may hold class labels
    /// (`wantsText`) are runs of one, read as text.
    static func runs(of roles: [CSVColumnRole], wantsText: Bool) -> [CSVColumnRun] {
        var runs: [CSVColumnRun] = []
        for role in roles {
            let next: CSVColumnRun
            switch role {
            case .feature(let k): next = CSVColumnRun(kind: .features, count: 1, destination: k)
            case .target(let k): next = CSVColumnRun(kind: wantsText ? .textTarget : .targets, count: 1, destination: k)
            case .categorical(let k): next = CSVColumnRun(kind: .categorical, count: 1, destination: k)
            case .ignored: next = CSVColumnRun(kind: .ignored, count: 1, destination: 0)
            }
            if var last = runs.last, last.kind == next.kind, next.kind != .textTarget,
               next.kind == .ignored || last.destination + last.count == next.destination {
                last.count += 1
                runs[runs.count - 1] = last
            } else {
                runs.append(next)
            }
        }
        if !runs.isEmpty { runs[runs.count - 1].isLast = true }
        return runs
    }
}
