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
    /// The fields of the first line, when every one of them is a number although the options say
    /// it is a header (see ``CSVColumnWarnings``).
    var headerLooksLikeData = false

    /// Reads the header (if any) and resolves the options' column choices.
    /// - Parameter oneFieldAdvice: what to suggest when the first line has a single field and no
    ///   feature column results (``CSVDelimiterDetection/oneFieldAdvice(in:used:)``).
    static func read(_ tokenizer: inout CSVTokenizer, options: CSVOptions, oneFieldAdvice: (() -> String)? = nil) throws -> CSVLayout {
        let header = try readHeader(&tokenizer, hasHeader: options.hasHeader)
        var layout = try resolve(names: header.names, options: options, file: tokenizer.file, dataStart: tokenizer.position, dataLine: tokenizer.line,
                                 oneFieldAdvice: header.names.count == 1 ? oneFieldAdvice?() : nil)
        layout.headerLooksLikeData = header.looksLikeData
        return layout
    }

    /// The column names from the first record (or `0`, `1`, … without a header, the tokenizer
    /// then left at the first record), and whether every header field is a number.
    /// - Throws: ``DataError`` for an empty file or a tokenizer error in the first record.
    static func readHeader(_ tokenizer: inout CSVTokenizer, hasHeader: Bool) throws -> (names: [String], looksLikeData: Bool) {
        var fields: [CSVField] = []
        let start = tokenizer.position, startLine = tokenizer.line
        guard try tokenizer.nextRecord(into: &fields) else {
            throw DataError(file: tokenizer.file, "the file is empty; expected \(hasHeader ? "a header line and " : "")rows of delimited values")
        }
        guard hasHeader else {
            tokenizer.position = start
            tokenizer.line = startLine
            return (fields.indices.map { String($0) }, false)
        }
        let looksLikeData = fields.allSatisfy { if case .number = tokenizer.number($0) { return true } else { return false } }
        return (fields.map { tokenizer.string($0).trimmingSpaces() }, looksLikeData)
    }

    /// The layout for the given column names: where each column goes under `options`.
    /// - Throws: ``DataError`` for an unknown, duplicate or doubly chosen column, and when no
    ///   feature column is left (unless `options.features` is explicitly `[]`): a file read with
    ///   the wrong delimiter has one column, which must never become a model with no inputs.
    static func resolve(names: [String], options: CSVOptions, file: String, dataStart: Int, dataLine: Int, oneFieldAdvice: String? = nil) throws -> CSVLayout {
        if options.hasHeader, let duplicate = Dictionary(grouping: names.indices, by: { names[$0] }).first(where: { $0.value.count > 1 }) {
            throw DataError(file: file, line: 1, column: duplicate.value[1] + 1, "the column name \"\(duplicate.key)\" appears twice in the header; names must be unique")
        }
        let dropped = try options.drop.map { try $0.resolve(in: names, file: file) }
        let targets: [Int]
        if let chosen = options.targets {
            targets = try chosen.map { try $0.resolve(in: names, file: file) }
        } else if let last = names.indices.last(where: { !dropped.contains($0) }) {
            targets = [last]
        } else {
            throw DataError(file: file, "every column is dropped; keep at least a target and a feature")
        }
        for column in targets where dropped.contains(column) {
            throw DataError(file: file, "column \"\(names[column])\" is chosen both as a target and to be dropped")
        }
        let categorical = try options.categorical.map { try $0.resolve(in: names, file: file) }
        var features = try options.features.map { try $0.map { try $0.resolve(in: names, file: file) } }
            ?? names.indices.filter { !targets.contains($0) && !dropped.contains($0) }
        features = features.filter { !categorical.contains($0) }
        for column in features + categorical where targets.contains(column) {
            throw DataError(file: file, "column \"\(names[column])\" is chosen both as a target and as a feature")
        }
        for column in features + categorical where dropped.contains(column) {
            throw DataError(file: file, "column \"\(names[column])\" is chosen both as a feature and to be dropped")
        }
        if options.targetKind == .classification && targets.count > 1 {
            throw DataError(file: file, "classification needs exactly one target column, got \(targets.count)")
        }
        if features.isEmpty && categorical.isEmpty && options.features?.isEmpty != true {
            if names.count == 1 {
                let first = names[0].count > 60 ? String(names[0].prefix(60)) + "…" : names[0]
                throw DataError(file: file, "every row has one field (the first line reads \"\(first)\"), so there is no feature column; "
                                + (oneFieldAdvice ?? "give the delimiter if it is not a comma (--delimiter)"))
            }
            throw DataError(file: file, "no feature column is left: the columns are \(names.joined(separator: ", ")); the target\(targets.count == 1 ? " is" : "s are") "
                            + targets.map { names[$0] }.joined(separator: ", ")
                            + (dropped.isEmpty ? "" : " and \(dropped.map { names[$0] }.joined(separator: ", ")) \(dropped.count == 1 ? "is" : "are") dropped"))
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
                             "missing value\(text.isEmpty ? "" : " \"\(text)\"") in a \(role) column; fill or drop missing values (missing values: drop or mean, --missing drop|mean), or fix the file (`descent data inspect` lists them all)")
        case .number(let x) where x.isNaN:
            return DataError(file: file, line: line, column: column + 1, columnName: name,
                             "NaN in a \(role) column; training would produce NaN losses — fix or drop this row (--missing drop treats NaN as missing)")
        case .number:
            return DataError(file: file, line: line, column: column + 1, columnName: name,
                             "infinite value \"\(text)\" in a \(role) column; expected a finite number")
        case .invalid:
            let hint = role == "feature" ? "; if the column holds categories, list it as categorical (one-hot encoded, --categorical \(name)), or drop it (--drop \(name))" : ""
            return DataError(file: file, line: line, column: column + 1, columnName: name,
                             "expected a number, found \"\(text)\"\(hint)")
        }
    }
}
