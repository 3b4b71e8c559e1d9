import DescentCore
import Foundation

/// Reads a data file and reports its shape, column types, statistics, class balance and the
/// problems a training run would hit. Unlike the loaders it does not stop at the first problem:
/// it counts them all and names the first place of each.
///
///     let report = try DataInspector.inspect("iris.csv", target: "species")
///     print(report.text)
public enum DataInspector {
    /// Classes whose smallest count is below this share of the largest are "heavily imbalanced".
    public static let imbalanceRatio = 0.1

    /// Inspects a CSV file, an IDX file, or `builtin:NAME`.
    /// - Parameters:
    ///   - source: the file or built-in dataset spec.
    ///   - target: the target column (CSV). The default value is `nil`: the last column.
    ///   - labels: for IDX images, the label file. The default value is `nil`.
    ///   - options: header and delimiter for CSV. The default value is `CSVOptions()`.
    /// - Throws: ``DataError`` if the file cannot be read at all (missing, unreadable, bad magic).
    public static func inspect(_ source: String, target: ColumnSelector? = nil, labels: String? = nil, options: CSVOptions = CSVOptions()) throws -> DataReport {
        if BuiltinDataset.isBuiltin(source) { return try inspectBuiltin(source) }
        try FileBytes.checkReadable(source)
        let isIDX = try FileBytes.withBytes(of: source) { bytes in bytes.count >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] >= 0x08 && bytes[2] <= 0x0E }
        if isIDX { return try inspectIDX(source, labels: labels) }
        return try FileBytes.withBytes(of: source) { try inspectCSV($0, file: source, target: target, options: options) }
    }

    /// Running statistics of one column.
    struct Accumulator {
        var count = 0, mean = 0.0, m2 = 0.0
        var minimum = Double.infinity, maximum = -Double.infinity
        var missing = 0, nan = 0, infinite = 0, text = 0
        var firstMissing: Int?, firstNaN: Int?, firstInfinite: Int?, firstText: (line: Int, value: String)?
        // Distinct values, given up past a cap (hashing Doubles keeps the numeric case cheap).
        var distinctNumbers: Set<Double> = []
        var distinct: Set<String> = []
        var distinctOverflow = false

        mutating func addNumber(_ x: Double) {
            count += 1
            let delta = x - mean
            mean += delta / Double(count)
            m2 += delta * (x - mean)
            minimum = Swift.min(minimum, x)
            maximum = Swift.max(maximum, x)
        }

        mutating func noteDistinct(_ value: String) {
            guard !distinctOverflow else { return }
            distinct.insert(value)
            if distinct.count + distinctNumbers.count > 10_000 { distinctOverflow = true; distinct = []; distinctNumbers = [] }
        }

        mutating func noteDistinct(_ value: Double) {
            guard !distinctOverflow else { return }
            distinctNumbers.insert(value)
            if distinct.count + distinctNumbers.count > 10_000 { distinctOverflow = true; distinct = []; distinctNumbers = [] }
        }

        func report(name: String) -> DataReport.Column {
            let type = count == 0 && text == 0 ? "empty" : text == 0 ? "number" : count == 0 ? "text" : "mixed"
            let hasNumbers = count > 0
            return DataReport.Column(
                name: name, type: type, missing: missing, nan: nan, infinite: infinite, text: text,
                minimum: hasNumbers ? minimum : nil, maximum: hasNumbers ? maximum : nil, mean: hasNumbers ? mean : nil,
                standardDeviation: hasNumbers ? (m2 / Double(count)).squareRoot() : nil,
                distinct: distinctOverflow ? nil : distinct.count + distinctNumbers.count)
        }
    }

    static func inspectCSV(_ bytes: UnsafeBufferPointer<UInt8>, file: String, target: ColumnSelector?, options: CSVOptions) throws -> DataReport {
        var tokenizer = CSVTokenizer(bytes: bytes, delimiter: try options.delimiterByte(), file: file)
        var fields: [CSVField] = []
        guard try tokenizer.nextRecord(into: &fields) else { throw DataError(file: file, "the file is empty") }
        let names: [String]
        if options.hasHeader {
            names = fields.map { tokenizer.string($0).trimmingSpaces() }
        } else {
            names = fields.indices.map { String($0) }
            tokenizer = CSVTokenizer(bytes: bytes, delimiter: try options.delimiterByte(), file: file)
        }
        let targetColumn = try (target ?? .index(-1)).resolve(in: names, file: file)
        var columns = [Accumulator](repeating: Accumulator(), count: names.count)
        var problems: [String] = []
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
            problems.append("the file cannot be read past this point: \(error)")
        }
        if rows == 0 { problems.append("the file has no data rows") }
        if let firstRagged {
            problems.append("\(ragged.grouped) row\(ragged == 1 ? " has" : "s have") a different number of fields than the header (\(names.count)); first at line \(firstRagged.line) with \(firstRagged.count) — check the delimiter and quoting")
        }
        for (c, column) in columns.enumerated() {
            let name = "column \"\(names[c])\""
            let role = c == targetColumn ? " (the target)" : ""
            if column.nan > 0 { problems.append("\(name)\(role) has \(column.nan.grouped) NaN value\(column.nan == 1 ? "" : "s") (first at line \(column.firstNaN!)): training would produce NaN losses") }
            if column.infinite > 0 { problems.append("\(name)\(role) has \(column.infinite.grouped) infinite value\(column.infinite == 1 ? "" : "s") (first at line \(column.firstInfinite!))") }
            if column.missing > 0 { problems.append("\(name)\(role) has \(column.missing.grouped) missing value\(column.missing == 1 ? "" : "s") (first at line \(column.firstMissing!)): fill or drop them") }
            if c != targetColumn, column.text > 0 {
                if column.count == 0 {
                    problems.append("\(name) is text (for example \"\(column.firstText!.value)\"): not a numeric feature — mark it categorical to one-hot encode it, or drop it")
                } else {
                    problems.append("\(name) is mostly numbers but has \(column.text.grouped) non-numeric value\(column.text == 1 ? "" : "s") (first at line \(column.firstText!.line): \"\(column.firstText!.value)\")")
                }
            }
            if c == targetColumn, column.text > 0, column.count > 0 {
                problems.append("\(name) (the target) mixes numbers and text (first text at line \(column.firstText!.line): \"\(column.firstText!.value)\"); every value becomes a class label")
            }
            if c != targetColumn, rows > 1, column.text == 0, column.count == rows, column.minimum == column.maximum {
                problems.append("\(name) is constant (every value is \(column.minimum)): it carries no information; drop it")
            }
        }
        let targetColumnStats = columns[targetColumn]
        if targetLabels.count > 1000 { targetLabels = [:] }
        let looksLikeClasses = targetColumnStats.text > 0
            || (!targetLabels.isEmpty && targetLabels.count <= 20 && targetColumnStats.count > 0
                && targetLabels.keys.allSatisfy { Double($0).map { $0 == $0.rounded() } ?? false })
        var balance: [DataReport.ClassCount]?
        if looksLikeClasses && !targetLabels.isEmpty {
            balance = sortedLabels(targetLabels.keys).map { DataReport.ClassCount(label: $0, count: targetLabels[$0]!) }
            problems += classProblems(balance!, target: names[targetColumn])
        }
        return DataReport(
            source: file, format: "csv", rows: rows, shape: nil, elementType: nil,
            columns: columns.enumerated().map { $1.report(name: names[$0]) }, target: names[targetColumn],
            targetKind: looksLikeClasses ? "classes" : "values", classBalance: balance, problems: problems)
    }

    /// Single-class and imbalance problems.
    static func classProblems(_ balance: [DataReport.ClassCount], target: String) -> [String] {
        guard let largest = balance.max(by: { $0.count < $1.count }), let smallest = balance.min(by: { $0.count < $1.count }) else { return [] }
        if balance.count == 1 {
            return ["the target \"\(target)\" has a single class (\"\(largest.label)\"): there is nothing to learn to tell apart"]
        }
        let total = balance.reduce(0) { $0 + $1.count }
        if Double(smallest.count) < imbalanceRatio * Double(largest.count) {
            return [String(format: "the classes are heavily imbalanced: \"%@\" has %d rows (%.1f%%), \"%@\" %d (%.1f%%); use a stratified split and watch per-class metrics, or weight the loss",
                           smallest.label, smallest.count, 100 * Double(smallest.count) / Double(total),
                           largest.label, largest.count, 100 * Double(largest.count) / Double(total))]
        }
        return []
    }

    static func inspectIDX(_ path: String, labels: String?) throws -> DataReport {
        var problems: [String] = []
        let header = try IDXLoader.header(path)
        var report = DataReport(source: path, format: "idx", rows: header.shape[0], shape: header.shape, elementType: header.elementName,
                                columns: [], target: nil, targetKind: nil, classBalance: nil, problems: [])
        do {
            if header.shape.count == 1 && header.element.isInteger {
                let values = try IDXLoader.loadLabels(path)
                report.columns = [statistics(values.map(Double.init), name: "labels")]
                report.classBalance = balance(values)
                report.target = "labels"
                report.targetKind = "classes"
            } else {
                let tensor: Tensor<Double> = try IDXLoader.load(path)
                report.columns = [statistics(tensor.scalars, name: header.shape.count > 1 ? "pixels" : "values")]
                if header.shape.count > 1, let column = report.columns.first, column.minimum == column.maximum {
                    problems.append("every value is \(column.minimum ?? 0): the images are blank")
                }
                if let labels {
                    let values = try IDXLoader.loadLabels(labels)
                    if values.count != header.shape[0] {
                        problems.append("\(labels) has \(values.count.grouped) labels for \(header.shape[0].grouped) images: the files do not belong together")
                    }
                    report.classBalance = balance(values)
                    report.target = labels
                    report.targetKind = "classes"
                }
            }
        } catch let error as DataError {
            problems.append(error.description)
        }
        if let balance = report.classBalance { problems += classProblems(balance, target: report.target ?? "labels") }
        report.problems = problems
        return report
    }

    static func inspectBuiltin(_ spec: String) throws -> DataReport {
        // Float, and statistics straight from the tensor's buffer: `linear(count: 1000000,
        // features: 100)` is 400 MB as Float, and a Double copy per column would double that.
        let data = try BuiltinDataset.make(spec, seed: 0, as: Float.self)
        let width = data.featureShape.reduce(1, *)
        var accumulators = [Accumulator](repeating: Accumulator(), count: width)
        data.features.withUnsafeBufferPointer { x in
            for i in 0..<data.count {
                for j in 0..<width { accumulators[j].addNumber(Double(x[i * width + j])) }
            }
        }
        var columns = accumulators.enumerated().map { j, accumulator in
            var column = accumulator.report(name: data.featureNames?[j] ?? "x\(j + 1)")
            column.distinct = nil
            return column
        }
        var report = DataReport(source: spec, format: "builtin", rows: data.count, shape: nil, elementType: nil, columns: [], target: "y",
                                targetKind: data.targets.classes == nil ? "values" : "classes", classBalance: nil, problems: [])
        if let classes = data.targets.classes {
            report.classBalance = balance(classes)
            report.problems = classProblems(report.classBalance!, target: "y")
        } else if let values = data.targets.values {
            columns.append(statistics(values.scalars.map(Double.init), name: "y"))
        }
        report.columns = columns
        return report
    }

    static func statistics(_ values: [Double], name: String) -> DataReport.Column {
        var accumulator = Accumulator()
        for x in values {
            if x.isNaN { accumulator.nan += 1 } else if x.isInfinite { accumulator.infinite += 1 } else { accumulator.addNumber(x) }
        }
        var column = accumulator.report(name: name)
        column.distinct = nil
        return column
    }

    static func balance(_ labels: [Int]) -> [DataReport.ClassCount] {
        var counts: [Int: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        return counts.keys.sorted().map { DataReport.ClassCount(label: String($0), count: counts[$0]!) }
    }
}
