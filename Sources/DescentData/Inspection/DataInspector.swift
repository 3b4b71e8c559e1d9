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

    /// Inspects a delimited text file (CSV, TSV, …), an IDX file, a `.npy` file, or `builtin:NAME`.
    /// The format comes from the content; a file that is none of them (not text: NUL bytes or
    /// invalid UTF-8 in its first kilobyte) gets a report saying so, with no byte of it printed.
    /// - Parameters:
    ///   - source: the file or built-in dataset spec.
    ///   - target: the target column (CSV). The default value is `nil`: the options' targets, or
    ///     the last column that is not dropped.
    ///   - labels: for IDX images, the label file. The default value is `nil`.
    ///   - options: header, delimiter (detected when `nil`, as ``CSVLoader`` does), dropped and
    ///     categorical columns and the missing-value policy, so that the report says what
    ///     `train` with the same options would hit. The default value is `CSVOptions()`.
    ///   - inputShape: the shape of one sample (`--input-shape`), checked against the feature
    ///     columns of a CSV file and reported as its image shape. The default value is `nil`.
    /// - Throws: ``DataError`` if the file cannot be read at all (missing, unreadable, bad magic).
    public static func inspect(_ source: String, target: ColumnSelector? = nil, labels: String? = nil, options: CSVOptions = CSVOptions(),
                               inputShape: SampleShape? = nil) throws -> DataReport {
        if BuiltinDataset.isBuiltin(source) { return try inspectBuiltin(source) }
        try FileBytes.checkReadable(source)
        let kind = try FileBytes.withBytes(of: source) { FileKind(of: $0) }
        var report: DataReport
        switch kind {
        case .idx: report = try inspectIDX(source, labels: labels)
        case .npy: report = try inspectNPY(source)
        case .binary: return notTextReport(source)
        case .text:
            report = try FileBytes.withBytes(of: source) { try inspectCSV($0, file: source, target: target, options: options) }
            if let inputShape { addInputShape(inputShape, to: &report, options: options) }
            return report
        }
        if let inputShape, let shape = report.shape, let features = checkedProduct(shape.dropFirst()), features != inputShape.elementCount {
            report.add("--input-shape \(inputShape) holds \(inputShape.elementCount.grouped) values, but each sample has \(features.grouped)", stopsTraining: true)
        } else if let inputShape {
            report.imageShape = inputShape.sizes
        }
        return report
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
        /// Every value so far is an integer above the one before (an ID-like column).
        var increasingIntegers = true, previous = -Double.infinity

        mutating func addNumber(_ x: Double) {
            increasingIntegers = increasingIntegers && x > previous && x == x.rounded()
            previous = x
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
            for problem in classProblems(report.classBalance!, target: "y") { report.add(problem, stopsTraining: false) }
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
