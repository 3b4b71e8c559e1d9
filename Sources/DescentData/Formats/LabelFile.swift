/// A file of class labels, one per sample, in any format Descent reads; the format comes from the content.
///
/// - IDX: a one-axis integer array (`train-labels-idx1-ubyte[.gz]`).
/// - `.npy`: an integer array, or a float array of whole numbers, of shape `(n,)` or `(n, 1)`.
/// - Text (plain or gzip): one label per line, optionally quoted, with or without a header line.
///   Whole numbers (`3`, `3.0`) are class indices as written; otherwise (`cat`, `dog`) every
///   distinct label is a class, numbered in sorted order (numerically when all are numbers), and
///   ``classNames`` lists them.
///
///     let labels = try LabelFile.load("train-labels-idx1-ubyte.gz")
///     labels.classes       // [5, 0, 4, 1, …]
///
/// - PyTorch: the `targets` of a `torchvision` dataset; NumPy: `numpy.load("y.npy")` or
///   `numpy.loadtxt("y.csv", dtype=int)`; text labels as `sklearn.preprocessing.LabelEncoder` numbers them.
public struct LabelFile: Equatable, Sendable {
    /// One class index per sample, each ≥ 0.
    public var classes: [Int]
    /// For text labels, the label of each class index (class `i` is `classNames[i]`); `nil` for numbers.
    public var classNames: [String]?
    /// The format the labels were read from.
    public var format: DataFileFormat

    /// The number of classes: `classNames.count` for text labels, else one more than the largest label.
    public var classCount: Int { classNames?.count ?? ((classes.max() ?? -1) + 1) }

    /// Reads the labels in `path`.
    /// - Parameters:
    ///   - path: an IDX, `.npy` or text file (plain or gzip).
    ///   - hasHeader: for text, whether the first line is a column name. The default value is `nil`:
    ///     the first line is a header if it is not a number while every other line is, or (text
    ///     labels) if its text occurs on no other line.
    /// - Throws: ``DataError`` naming the line or element for a label that is negative, a fraction,
    ///   empty, or not one field; for an array of the wrong shape or type; or for an empty file.
    public static func load(_ path: String, hasHeader: Bool? = nil) throws -> LabelFile {
        let format = try DataFileFormat.detect(path: path)
        let labels: LabelFile
        switch format {
        case .idx: labels = LabelFile(classes: try IDXLoader.loadLabels(path), classNames: nil, format: .idx)
        case .npy: labels = LabelFile(classes: try NPYLoader.loadClassLabels(path), classNames: nil, format: .npy)
        case .csv:
            switch try TextColumn.read(path, hasHeader: hasHeader) {
            case .integers(let values, _): labels = LabelFile(classes: values, classNames: nil, format: .csv)
            case .numbers(let values, let firstLine):
                let bad = values.firstIndex { Int(exactly: $0) == nil } ?? 0
                throw DataError(file: path, line: firstLine + bad, "label \(values[bad]) is not a whole number; class labels are 0, 1, 2 …")
            case .text(let values, _):
                let names = TextColumn.sortedDistinct(values)
                let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
                labels = LabelFile(classes: values.map { index[$0] ?? 0 }, classNames: names, format: .csv)
            }
        }
        guard !labels.classes.isEmpty else { throw DataError(file: path, "the file holds no labels") }
        if labels.classNames == nil, let bad = labels.classes.firstIndex(where: { $0 < 0 }) {
            throw DataError(file: path, "label \(bad) is \(labels.classes[bad]); class labels must be 0 or more (0, 1, 2 …)")
        }
        return labels
    }

    /// The class indices in `path` (``load(_:hasHeader:)`` without the names).
    public static func loadClasses(_ path: String) throws -> [Int] { try load(path).classes }
}

/// One column of text values, one per line: the reader behind text label and target files.
enum TextColumn {
    /// The values of a column: all whole numbers, all numbers, or text; with the 1-based line of the first value.
    enum Values {
        case integers([Int], firstLine: Int)
        case numbers([Double], firstLine: Int)
        case text([String], firstLine: Int)
    }

    /// Reads `path` (plain or gzip) as one value per line; see ``LabelFile/load(_:hasHeader:)`` for the header rule.
    static func read(_ path: String, hasHeader: Bool?) throws -> Values {
        var fields: [String] = []
        try FileBytes.withBytes(of: path) { bytes in
            var lineStart = 0
            var line = 1
            while lineStart < bytes.count {
                var end = lineStart
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                let next = end + 1
                if end > lineStart && bytes[end - 1] == 0x0D { end -= 1 }
                var begin = lineStart
                while begin < end && (bytes[begin] == 0x20 || bytes[begin] == 0x09) { begin += 1 }
                while end > begin && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
                if end - begin >= 2 && bytes[begin] == 0x22 && bytes[end - 1] == 0x22 {
                    begin += 1
                    end -= 1
                } else if let k = (begin..<end).first(where: { bytes[$0] == 0x2C || bytes[$0] == 0x3B || bytes[$0] == 0x09 }) {
                    throw DataError(file: path, line: line, column: k - lineStart + 1,
                                    "this line has more than one field; a label file holds one label per line "
                                    + "(for a table, read it as CSV and choose the target column)")
                }
                if begin == end && next < bytes.count {
                    throw DataError(file: path, line: line, "empty line; every line must hold one label")
                }
                if begin < end { fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[begin..<end]), as: UTF8.self)) }
                lineStart = next
                line += 1
            }
        }
        guard !fields.isEmpty else { throw DataError(file: path, "the file holds no labels") }
        let integers = fields.map { Int($0) }
        let numbers = fields.map { Double($0) }
        let restAreNumbers = numbers.dropFirst().allSatisfy { $0 != nil && $0!.isFinite }
        let header: Bool
        if let hasHeader {
            header = hasHeader
        } else if numbers[0] == nil && fields.count > 1 && restAreNumbers {
            header = true
        } else if numbers[0] == nil && fields.count > 1 && !restAreNumbers {
            header = !fields.dropFirst().contains(fields[0])
        } else {
            header = false
        }
        let start = header ? 1 : 0
        guard start < fields.count else { throw DataError(file: path, "the file holds only a header line, no labels") }
        let firstLine = start + 1
        if integers[start...].allSatisfy({ $0 != nil }) { return .integers(integers[start...].map { $0! }, firstLine: firstLine) }
        if numbers[start...].allSatisfy({ $0 != nil && $0!.isFinite }) {
            let values = numbers[start...].map { $0! }
            if values.allSatisfy({ Int(exactly: $0) != nil }) { return .integers(values.map { Int(exactly: $0)! }, firstLine: firstLine) }
            return .numbers(values, firstLine: firstLine)
        }
        return .text(Array(fields[start...]), firstLine: firstLine)
    }

    /// The distinct values, sorted numerically when all are numbers, else by Unicode code points.
    static func sortedDistinct(_ values: [String]) -> [String] {
        let unique = Array(Set(values))
        let numbers = unique.map { Double($0) }
        if numbers.allSatisfy({ $0 != nil }) {
            return zip(unique, numbers).sorted { $0.1! != $1.1! ? $0.1! < $1.1! : $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) }.map(\.0)
        }
        return unique.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }
}
