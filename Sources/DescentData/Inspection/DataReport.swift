import Foundation

/// What `descent data inspect` found in a data file: shape, column types and statistics, class
/// balance, and the problems a training run would hit.
///
/// - pandas: `DataFrame.info()` and `DataFrame.describe()`, plus checks pandas does not make.
public struct DataReport: Codable, Equatable, Sendable {
    /// Statistics of one column.
    public struct Column: Codable, Equatable, Sendable {
        /// The column name.
        public var name: String
        /// `number`, `text`, `mixed` (numbers and some text) or `empty`.
        public var type: String
        /// Empty cells and missing markers (`NA`, `null`, …).
        public var missing: Int
        /// Cells that are NaN.
        public var nan: Int
        /// Cells that are ±infinity.
        public var infinite: Int
        /// Cells that are text (in a numeric or mixed column), or all filled cells of a text column.
        public var text: Int
        /// The smallest finite value.
        public var minimum: Double?
        /// The largest finite value.
        public var maximum: Double?
        /// The mean of the finite values.
        public var mean: Double?
        /// The population standard deviation of the finite values.
        public var standardDeviation: Double?
        /// The number of distinct values (capped at 10,000; text columns and small numeric sets).
        public var distinct: Int?
    }

    /// One class and how many rows have it.
    public struct ClassCount: Codable, Equatable, Sendable {
        /// The class label.
        public var label: String
        /// The number of rows with this label.
        public var count: Int
    }

    /// The file (or `builtin:NAME`).
    public var source: String
    /// `csv`, `idx`, `npy`, `builtin`, or `binary` for a file that is none of them.
    public var format: String
    /// The number of rows (samples).
    public var rows: Int
    /// For IDX files, the array shape and element type.
    public var shape: [Int]?
    /// For IDX files, the element type.
    public var elementType: String?
    /// For delimited text, the field delimiter it was read with (given or detected).
    public var delimiter: String?
    /// Per-column statistics (for IDX images: one entry for all pixels).
    public var columns: [Column]
    /// The target column's name, if any.
    public var target: String?
    /// `classes` or `values`, for the target.
    public var targetKind: String?
    /// Class counts in label order, when the target holds classes.
    public var classBalance: [ClassCount]?
    /// The shape of one image (`[c, h, w]`) as a convolutional model reads it: IDX and `.npy`
    /// images, or CSV columns with `--input-shape`; `nil` for rows. The default value is `nil`.
    public var imageShape: [Int]? = nil
    /// The pixels that are the same in every image (standardisation leaves them at 0), when known.
    /// The default value is `nil`.
    public var constantPixels: Int? = nil
    /// Problems a training run would hit, each with where and what to do.
    public var problems: [String]
    /// How serious each of ``problems`` is, in the same order.
    public var severities: [Severity] = []
    /// Whether any problem would stop `descent train` on this data with these options (the CLI
    /// exits non-zero then). The default value is `false`.
    public var stopsTraining = false

    /// How serious a problem is.
    public enum Severity: String, Codable, Equatable, Sendable {
        /// Loading or training with the same options would fail (a missing value, text in a
        /// numeric column, a ragged row, no feature column, a truncated or non-text file, …).
        case stopsTraining
        /// Training runs, but probably learns less than it could (a constant or ID-like column,
        /// a single class, heavy imbalance, a header that looks like data, …).
        case warning
    }

    /// Adds a problem with its severity.
    mutating func add(_ problem: String, stopsTraining stops: Bool) {
        problems.append(problem)
        severities.append(stops ? .stopsTraining : .warning)
        stopsTraining = stopsTraining || stops
    }

    /// The report as aligned text for a terminal.
    public var text: String {
        var lines: [String] = []
        var title = "\(source): \(format.uppercased()), \(rows.grouped) rows"
        if let shape { title += ", shape \(shape)" } else { title += " × \(columns.count) columns" }
        if let elementType { title += " of \(elementType)s" }
        title += delimiterNote
        lines.append(title)
        let nameWidth = Swift.max(7, Swift.min(24, (columns.map(\.name.count).max() ?? 6) + 1))
        lines.append(pad("column", nameWidth) + "  " + pad("type", 7) + pad("missing", 9) + pad("min", 12) + pad("max", 12) + pad("mean", 12) + "std")
        for column in columns {
            var line = pad(column.name, nameWidth) + "  " + pad(column.type, 7) + pad(String(column.missing + column.nan), 9)
            if let minimum = column.minimum, let maximum = column.maximum, let mean = column.mean, let deviation = column.standardDeviation {
                line += pad(format(minimum), 12) + pad(format(maximum), 12) + pad(format(mean), 12) + format(deviation)
            } else if let distinct = column.distinct {
                line += "\(distinct.grouped) distinct values"
            }
            lines.append(line)
        }
        if let imageShape {
            var line = "images: \(imageShape.map(String.init).joined(separator: "x")) (channels x height x width) per sample, as a convolutional model reads them"
            if let constantPixels, constantPixels > 0 {
                line += "; \(constantPixels.grouped) pixel\(constantPixels == 1 ? " is" : "s are") the same in every image"
            }
            lines.append(line)
        }
        if let target {
            lines.append("target: \(target) (\(targetKind ?? "values"))")
        }
        if let classBalance {
            let total = Double(classBalance.reduce(0) { $0 + $1.count })
            let labelWidth = Swift.min(24, (classBalance.map(\.label.count).max() ?? 5) + 1)
            let shown = classBalance.count > 30 ? Array(classBalance.prefix(30)) : classBalance
            for item in shown {
                lines.append("  " + pad(item.label, labelWidth) + "  " + pad(item.count.grouped, 10) + String(format: "%5.1f%%", 100 * Double(item.count) / Swift.max(total, 1)))
            }
            if classBalance.count > 30 { lines.append("  … \(classBalance.count - 30) more classes") }
        }
        if problems.isEmpty {
            lines.append("problems: none found")
        } else {
            lines.append("problems:")
            for (k, problem) in problems.enumerated() {
                lines.append("  - " + (k < severities.count && severities[k] == .stopsTraining ? "[stops training] " : "") + problem)
            }
            if stopsTraining { lines.append("training would stop on this data: fix the problems marked [stops training] first") }
        }
        return lines.joined(separator: "\n")
    }

    /// ` (semicolon-separated)` for delimited text not separated by commas, else empty.
    var delimiterNote: String {
        guard let byte = delimiter?.utf8.first, byte != UInt8(ascii: ",") else { return "" }
        return " (\(CSVDelimiterDetection.name(byte))-separated)"
    }

    /// The report as pretty-printed JSON with sorted keys.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    private func pad(_ text: String, _ width: Int) -> String {
        // Long text is cut to the width; there is always at least one space after it.
        text.count >= width ? String(text.prefix(Swift.max(width - 1, 1))) + " " : text + String(repeating: " ", count: width - text.count)
    }

    private func format(_ x: Double) -> String {
        if x == x.rounded() && Swift.abs(x) < 1e9 { return String(Int(x)) }
        return String(format: "%.4g", x)
    }
}
