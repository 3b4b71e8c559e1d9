extension DataInspector {
    /// Inspects delimited text with the loader's own rules: the same delimiter detection, column
    /// roles (``CSVLayout``) and missing-value policy, so a problem marked as stopping training is
    /// one `CSVLoader.load` would throw on, and the rest are the loader's warnings and more.
    static func inspectCSV(_ bytes: UnsafeBufferPointer<UInt8>, file: String, target: ColumnSelector?, options: CSVOptions) throws -> DataReport {
        let delimiter = try options.delimiterByte(detectingIn: bytes)
        var tokenizer = CSVTokenizer(bytes: bytes, delimiter: delimiter, file: file)
        let (names, headerLooksLikeData) = try CSVLayout.readHeader(&tokenizer, hasHeader: options.hasHeader)
        var fields: [CSVField] = []
        var report = DataReport(source: file, format: "csv", rows: 0, shape: nil, elementType: nil, columns: [], target: nil,
                                targetKind: nil, classBalance: nil, problems: [])
        // The roles `train` would give the columns; when they cannot be resolved (an unknown or
        // doubly chosen column, no feature column), that is the first problem and every column
        // is treated as a feature below.
        var layoutOptions = options
        if let target { layoutOptions.targets = [target] }
        let advice = names.count == 1 ? CSVDelimiterDetection.oneFieldAdvice(in: bytes, used: delimiter) : nil
        let layout: CSVLayout?
        do {
            layout = try CSVLayout.resolve(names: names, options: layoutOptions, file: file, dataStart: 0, dataLine: 1, oneFieldAdvice: advice)
        } catch let error as DataError {
            layout = nil
            report.add(error.message, stopsTraining: true)
        }
        let fallbackTarget = (try? (target ?? .index(-1)).resolve(in: names, file: file)) ?? names.count - 1
        let targetColumn = layout?.targetColumns.first ?? fallbackTarget
        var used = [Bool](repeating: true, count: names.count)
        var categoricalColumns = [Bool](repeating: false, count: names.count)
        if let layout {
            for (c, role) in layout.roles.enumerated() {
                if case .ignored = role { used[c] = false }
                if case .categorical = role { categoricalColumns[c] = true }
            }
        }
        let isUsed = { (column: Int) -> Bool in used[column] }
        let isCategorical = { (column: Int) -> Bool in categoricalColumns[column] }

        var columns = [Accumulator](repeating: Accumulator(), count: names.count)
        var rows = 0, ragged = 0
        var firstRagged: (line: Int, count: Int)?
        var targetLabels: [String: Int] = [:]
        do {
            while try tokenizer.nextRecord(into: &fields) {
                let line = tokenizer.recordLine
                rows += 1
                if fields.count != names.count {
                    ragged += 1
                    if firstRagged == nil { firstRagged = (line, fields.count) }
                }
                for (c, field) in fields.prefix(names.count).enumerated() {
                    let parsed = tokenizer.number(field)
                    switch parsed {
                    case .number(let x) where x.isNaN:
                        columns[c].nan += 1
                        if columns[c].firstNaN == nil { columns[c].firstNaN = line }
                    case .number(let x) where x.isInfinite:
                        columns[c].infinite += 1
                        if columns[c].firstInfinite == nil { columns[c].firstInfinite = line }
                    case .number(let x):
                        columns[c].addNumber(x)
                        columns[c].noteDistinct(x)
                    case .missing:
                        columns[c].missing += 1
                        if columns[c].firstMissing == nil { columns[c].firstMissing = line }
                    case .invalid:
                        columns[c].text += 1
                        let value = tokenizer.string(field).trimmingSpaces()
                        if columns[c].firstText == nil { columns[c].firstText = (line, value) }
                        columns[c].noteDistinct(value)
                    }
                    if c == targetColumn && parsed != .missing && targetLabels.count <= 1000 {
                        // Counted as possible class labels; a numeric target with many values is not one.
                        targetLabels[tokenizer.string(field).trimmingSpaces(), default: 0] += 1
                    }
                }
            }
        } catch let error as DataError {
            report.add("the file cannot be read past this point: \(error)", stopsTraining: true)
        }
        report.rows = rows
        if rows == 0 { report.add("the file has no data rows", stopsTraining: true) }
        if headerLooksLikeData { report.add(CSVColumnWarnings.headerLooksLikeData(names), stopsTraining: false) }
        if let firstRagged {
            report.add("\(ragged.grouped) row\(ragged == 1 ? " has" : "s have") a different number of fields than the header (\(names.count)); first at line \(firstRagged.line) with \(firstRagged.count) — check the delimiter and quoting",
                       stopsTraining: true)
        }
        let policy = options.missingValues
        for (c, column) in columns.enumerated() where isUsed(c) {
            let name = "column \"\(names[c])\""
            let isTarget = c == targetColumn
            let role = isTarget ? " (the target)" : ""
            // Under drop and mean, NaN and missing cells are handled (rows dropped or filled).
            let handled = policy != .error
            let handling = policy == .drop || isTarget ? "their rows will be dropped (missing values: drop)" : "they will be filled with the column mean (missing values: mean)"
            if column.nan > 0 {
                report.add("\(name)\(role) has \(column.nan.grouped) NaN value\(column.nan == 1 ? "" : "s") (first at line \(column.firstNaN!)): "
                           + (handled ? handling : "training would produce NaN losses"), stopsTraining: !handled)
            }
            if column.infinite > 0 {
                report.add("\(name)\(role) has \(column.infinite.grouped) infinite value\(column.infinite == 1 ? "" : "s") (first at line \(column.firstInfinite!))", stopsTraining: true)
            }
            if column.missing > 0 {
                let categoricalMean = isCategorical(c) && policy == .mean
                report.add("\(name)\(role) has \(column.missing.grouped) missing value\(column.missing == 1 ? "" : "s") (first at line \(column.firstMissing!)): "
                           + (handled && !categoricalMean ? handling : "fill or drop them (--missing drop, or mean for numeric features)"),
                           stopsTraining: !handled || categoricalMean)
            }
            if !isTarget, !isCategorical(c), column.text > 0 {
                if column.count == 0 {
                    report.add("\(name) is text (for example \"\(column.firstText!.value)\"): not a numeric feature — mark it categorical to one-hot encode it (--categorical \(names[c])), or drop it (--drop \(names[c]))", stopsTraining: true)
                } else {
                    report.add("\(name) is mostly numbers but has \(column.text.grouped) non-numeric value\(column.text == 1 ? "" : "s") (first at line \(column.firstText!.line): \"\(column.firstText!.value)\")", stopsTraining: true)
                }
            }
            if isTarget, column.text > 0, column.count > 0 {
                report.add("\(name) (the target) mixes numbers and text (first text at line \(column.firstText!.line): \"\(column.firstText!.value)\"); every value becomes a class label", stopsTraining: false)
            }
            if !isTarget, rows > 1, column.text == 0, column.count == rows, column.minimum == column.maximum {
                report.add("\(name) is constant (every value is \(column.minimum)): it carries no information; drop it", stopsTraining: false)
            }
            if !isTarget, !isCategorical(c), column.text == 0, column.count > 0 {
                let byName = CSVColumnWarnings.isIDLikeName(names[c])
                if byName || (column.increasingIntegers && column.count == rows && rows >= CSVColumnWarnings.minimumRowsForValues) {
                    report.add(CSVColumnWarnings.idLike(names[c], byName: byName), stopsTraining: false)
                }
            }
        }
        let targetColumnStats = columns[targetColumn]
        if targetLabels.count > 1000 { targetLabels = [:] }
        let looksLikeClasses = targetColumnStats.text > 0
            || (!targetLabels.isEmpty && targetLabels.count <= 20 && targetColumnStats.count > 0
                && targetLabels.keys.allSatisfy { Double($0).map { $0 == $0.rounded() } ?? false })
        if looksLikeClasses && !targetLabels.isEmpty {
            let balance = sortedLabels(targetLabels.keys).map { DataReport.ClassCount(label: $0, count: targetLabels[$0]!) }
            report.classBalance = balance
            for problem in classProblems(balance, target: names[targetColumn]) { report.add(problem, stopsTraining: false) }
        }
        report.delimiter = String(Character(Unicode.Scalar(delimiter)))
        report.columns = columns.enumerated().map { $1.report(name: names[$0]) }
        report.target = names[targetColumn]
        report.targetKind = looksLikeClasses ? "classes" : "values"
        return report
    }
}
