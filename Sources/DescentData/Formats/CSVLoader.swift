import DescentCore

/// Reads CSV files into tables of numbers.
///
/// Parsing works on the file's bytes (memory-mapped, or decompressed if gzip): no `String` per
/// line or per numeric field, and numbers are read with a correctly rounded fast path, so an
/// MNIST-sized CSV file loads quickly (BENCHMARKS.md, "Design measurements", "CSV loading").
///
/// Nothing is guessed: a missing value, text in a numeric column, NaN or infinity, a ragged row or
/// a broken quote stops loading with a ``DataError`` naming the file, line, field and column, and
/// saying what was expected. (`descent data inspect` lists every problem at once.)
///
/// - pandas: `pandas.read_csv`; NumPy: `numpy.loadtxt(delimiter=",")`.
public enum CSVLoader {
    /// Reads the CSV file at `path`.
    /// - Parameters:
    ///   - path: the file (plain or gzip-compressed).
    ///   - options: header, delimiter, target and feature columns. The default value is `CSVOptions()`
    ///     (header, commas, the last column as target, its kind detected).
    /// - Throws: ``DataError`` for anything that cannot be read as described.
    public static func load<Scalar: TensorScalar>(_ path: String, options: CSVOptions = CSVOptions(), as _: Scalar.Type = Scalar.self) throws -> CSVTable<Scalar> {
        try FileBytes.withBytes(of: path) { try load(bytes: $0, file: path, options: options) }
    }

    /// Reads CSV text already in memory (`file` names it in error messages).
    public static func load<Scalar: TensorScalar>(text: String, file: String = "<text>", options: CSVOptions = CSVOptions(), as _: Scalar.Type = Scalar.self) throws -> CSVTable<Scalar> {
        var copy = text
        return try copy.withUTF8 { try load(bytes: $0, file: file, options: options) }
    }

    static func load<Scalar: TensorScalar>(bytes: UnsafeBufferPointer<UInt8>, file: String, options: CSVOptions) throws -> CSVTable<Scalar> {
        // The row loop is compiled for a concrete element type (generic code over Scalar would
        // dispatch through witness tables for every value).
        if Scalar.self == Float.self {
            return try unsafeBitCast(CSVParse<Float>(bytes: bytes, file: file, options: options).run(), to: CSVTable<Scalar>.self)
        }
        return try unsafeBitCast(CSVParse<Double>(bytes: bytes, file: file, options: options).run(), to: CSVTable<Scalar>.self)
    }
}

/// Where each column of the file goes.
enum CSVColumnRole {
    case feature(Int), categorical(Int), target(Int), ignored
}

/// The header and column roles of a CSV file.
struct CSVLayout {
    var names: [String]
    var roles: [CSVColumnRole]
    var featureColumns: [Int]
    var categoricalColumns: [Int]
    var targetColumns: [Int]
    /// Where the first data record starts, and its line.
    var dataStart: Int
    var dataLine: Int

    /// Reads the header (if any) and resolves the options' column choices.
    static func read(_ tokenizer: inout CSVTokenizer, options: CSVOptions) throws -> CSVLayout {
        var fields: [CSVField] = []
        let start = tokenizer.position, startLine = tokenizer.line
        guard try tokenizer.nextRecord(into: &fields) else { throw DataError(file: tokenizer.file, "the file is empty; expected \(options.hasHeader ? "a header line and " : "")rows of comma-separated values") }
        var names: [String]
        if options.hasHeader {
            names = fields.map { tokenizer.string($0).trimmingSpaces() }
        } else {
            names = fields.indices.map { String($0) }
            tokenizer.position = start
            tokenizer.line = startLine
        }
        return try resolve(names: names, options: options, file: tokenizer.file, dataStart: tokenizer.position, dataLine: tokenizer.line)
    }

    /// The layout for the given column names: where each column goes under `options`.
    static func resolve(names: [String], options: CSVOptions, file: String, dataStart: Int, dataLine: Int) throws -> CSVLayout {
        if options.hasHeader, let duplicate = Dictionary(grouping: names.indices, by: { names[$0] }).first(where: { $0.value.count > 1 }) {
            throw DataError(file: file, line: 1, column: duplicate.value[1] + 1, "the column name \"\(duplicate.key)\" appears twice in the header; names must be unique")
        }
        let targets = try (options.targets ?? [.index(-1)]).map { try $0.resolve(in: names, file: file) }
        // An explicitly empty list (`targets: []`) reads features only, as for data to predict on.
        guard !targets.isEmpty || options.targets != nil else { throw DataError(file: file, "no target column chosen; name at least one") }
        let categorical = try options.categorical.map { try $0.resolve(in: names, file: file) }
        var features = try options.features.map { try $0.map { try $0.resolve(in: names, file: file) } }
            ?? names.indices.filter { !targets.contains($0) }
        features = features.filter { !categorical.contains($0) }
        for column in features + categorical where targets.contains(column) {
            throw DataError(file: file, "column \"\(names[column])\" is chosen both as a target and as a feature")
        }
        if options.targetKind == .classification && targets.count > 1 {
            throw DataError(file: file, "classification needs exactly one target column, got \(targets.count)")
        }
        var roles = [CSVColumnRole](repeating: .ignored, count: names.count)
        for (k, c) in features.enumerated() { roles[c] = .feature(k) }
        for (k, c) in categorical.enumerated() { roles[c] = .categorical(k) }
        for (k, c) in targets.enumerated() { roles[c] = .target(k) }
        return CSVLayout(names: names, roles: roles, featureColumns: features, categoricalColumns: categorical,
                         targetColumns: targets, dataStart: dataStart, dataLine: dataLine)
    }

    /// The error for a numeric cell that is missing, text, NaN or infinite.
    func numberError(_ parsed: ParsedNumber, text: String, file: String, line: Int, column: Int, role: String) -> DataError {
        CSVLayout.numberError(parsed, text: text, file: file, line: line, column: column, name: names[column], role: role)
    }

    /// The error for a numeric cell of the column named `name`.
    static func numberError(_ parsed: ParsedNumber, text: String, file: String, line: Int, column: Int, name: String, role: String) -> DataError {
        switch parsed {
        case .missing:
            return DataError(file: file, line: line, column: column + 1, columnName: name,
                             "missing value\(text.isEmpty ? "" : " \"\(text)\"") in a \(role) column; fill or drop missing values before training (`descent data inspect` lists them all)")
        case .number(let x) where x.isNaN:
            return DataError(file: file, line: line, column: column + 1, columnName: name,
                             "NaN in a \(role) column; training would produce NaN losses — fix or drop this row")
        case .number:
            return DataError(file: file, line: line, column: column + 1, columnName: name,
                             "infinite value \"\(text)\" in a \(role) column; expected a finite number")
        case .invalid:
            let hint = role == "feature" ? "; if the column holds categories, list it as categorical (one-hot encoded)" : ""
            return DataError(file: file, line: line, column: column + 1, columnName: name,
                             "expected a number, found \"\(text)\"\(hint)")
        }
    }
}

/// One parse of a CSV file into `T` (Float or Double).
struct CSVParse<T: TensorScalar> {
    let bytes: UnsafeBufferPointer<UInt8>
    let file: String
    let options: CSVOptions

    func run() throws -> CSVTable<T> {
        var tokenizer = CSVTokenizer(bytes: bytes, delimiter: try options.delimiterByte(), file: file)
        let layout = try CSVLayout.read(&tokenizer, options: options)
        let featureCount = layout.featureColumns.count
        let targetCount = layout.targetColumns.count
        let wantsText = options.targetKind != .regression
        // Line breaks bound the row count (quoted line breaks only overcount), so one allocation
        // holds every row; the loop writes rows straight into it without Array bookkeeping.
        var lineBreaks = 1
        for byte in bytes where byte == 10 { lineBreaks += 1 }
        var capacityRows = lineBreaks
        var features = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(capacityRows * featureCount, 1))
        defer { features.deallocate() }
        var targetValues: [T] = []
        var targetText: [String] = []
        var firstTextTarget: (line: Int, text: String)?
        var categorical = [[String]](repeating: [], count: layout.categoricalColumns.count)
        var targetRow = [T](repeating: 0, count: targetCount)
        var fields: [CSVField] = []
        var rows = 0
        let roles = layout.roles
        while try tokenizer.nextRecord(into: &fields) {
            let line = tokenizer.recordLine
            if rows == capacityRows {
                // Only for files whose records end in a lone CR (no LF to count): grow by doubling.
                let bigger = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(2 * capacityRows * featureCount, 1))
                bigger.update(from: features, count: rows * featureCount)
                features.deallocate()
                features = bigger
                capacityRows *= 2
            }
            // Features go to their chosen position k (the options may list columns in any order).
            let featureRow = features + rows * featureCount
            guard fields.count == layout.names.count else {
                throw DataError(file: file, line: line,
                                "expected \(layout.names.count) fields (as in \(options.hasHeader ? "the header" : "the first row")), found \(fields.count)"
                                + (fields.count > layout.names.count ? "; check the delimiter and quoting" : ""))
            }
            for column in 0..<fields.count {
                let field = fields[column]
                switch roles[column] {
                case .feature(let k):
                    let parsed = tokenizer.number(field)
                    guard case .number(let x) = parsed, x.isFinite else {
                        throw layout.numberError(parsed, text: tokenizer.string(field), file: file, line: line, column: column, role: "feature")
                    }
                    featureRow[k] = T(x)
                case .categorical(let k):
                    let text = tokenizer.string(field).trimmingSpaces()
                    if text.isEmpty { throw layout.numberError(.missing, text: "", file: file, line: line, column: column, role: "categorical") }
                    categorical[k].append(text)
                case .target(let k):
                    let parsed = tokenizer.number(field)
                    if case .number(let x) = parsed, x.isFinite {
                        targetRow[k] = T(x)
                    } else if case .invalid = parsed, wantsText {
                        if firstTextTarget == nil { firstTextTarget = (line, tokenizer.string(field)) }
                    } else {
                        throw layout.numberError(parsed, text: tokenizer.string(field), file: file, line: line, column: column, role: "target")
                    }
                    if wantsText { targetText.append(tokenizer.string(field).trimmingSpaces()) }
                case .ignored:
                    break
                }
            }
            targetValues.append(contentsOf: targetRow)
            rows += 1
        }
        guard rows > 0 else { throw DataError(file: file, "the file has a header but no data rows") }

        let isClassification = options.targetKind == .classification || (options.targetKind == .automatic && firstTextTarget != nil)
        if isClassification && targetCount > 1 {
            throw DataError(file: file, line: firstTextTarget?.line, "text target \"\(firstTextTarget?.text ?? "")\": classification needs exactly one target column, got \(targetCount)")
        }
        let targets: Targets<T>
        var classNames: [String]?
        if isClassification {
            let names = sortedLabels(targetText)
            let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
            targets = .classes(targetText.map { index[$0]! })
            classNames = names
        } else {
            targets = .values(try Tensor(shape: [rows, targetCount], scalars: targetValues))
        }
        return CSVTable(
            file: file, features: Tensor(shape: [rows, featureCount]) { $0.baseAddress!.update(from: features, count: rows * featureCount) },
            featureNames: layout.featureColumns.map { layout.names[$0] },
            categoricalColumns: zip(layout.categoricalColumns, categorical).map { CategoricalColumn(name: layout.names[$0], values: $1) },
            targets: targets, targetNames: layout.targetColumns.map { layout.names[$0] }, classNames: classNames)
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return self }
        return String(scalars[first...last])
    }
}
