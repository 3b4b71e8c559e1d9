/// A column of a table, chosen by its header name or its 0-based position (negative counts from the end).
///
///     let options = CSVOptions(targets: ["species"])     // by name
///     let options = CSVOptions(targets: [-1])            // the last column
public enum ColumnSelector: Equatable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral, CustomStringConvertible
{
    /// The column with this header name.
    case name(String)
    /// The column at this 0-based position; `-1` is the last column.
    case index(Int)

    /// `"price"` selects the column named price.
    public init(stringLiteral value: String) { self = .name(value) }
    /// `2` selects the third column.
    public init(integerLiteral value: Int) { self = .index(value) }

    /// Reads a command-line value: a whole number is a position, anything else a name.
    public init(parsing text: String) {
        if let position = Int(text) { self = .index(position) } else { self = .name(text) }
    }

    /// `"price"` or `#2`.
    public var description: String {
        switch self {
        case .name(let name): return "\"\(name)\""
        case .index(let position): return "#\(position)"
        }
    }

    /// The 0-based position of this column among `names`.
    /// - Throws: ``DataError`` listing the columns when there is no such column.
    func resolve(in names: [String], file: String?) throws -> Int {
        switch self {
        case .name(let name):
            if let position = names.firstIndex(of: name) { return position }
            let list = names.count <= 20 ? names.joined(separator: ", ") : names.prefix(20).joined(separator: ", ") + ", …"
            throw DataError(file: file, "there is no column named \"\(name)\"; the columns are: \(list)")
        case .index(let position):
            let resolved = position < 0 ? names.count + position : position
            guard resolved >= 0 && resolved < names.count else {
                throw DataError(file: file, "column position \(position) is out of range: the file has \(names.count) columns (0…\(names.count - 1), or −1 for the last)")
            }
            return resolved
        }
    }
}

/// Whether targets are real values or classes.
public enum TargetKind: String, Equatable, Sendable, Codable, CaseIterable {
    /// Classes if any target value is not a number (text labels such as `setosa`), else real values.
    case automatic
    /// Real values (a regression target); text in the column is an error.
    case regression
    /// Classes: every distinct value (text or number) is a class, numbered in sorted order.
    case classification
}

/// What to do with a missing value (an empty cell or a marker such as `NA`; under `drop` and
/// `mean`, NaN counts as missing too, as in pandas).
///
/// - pandas: `.error` is checking `df.isna().any()`; `.drop` is `df.dropna()`; `.mean` is
///   `df.fillna(df.mean())` on the feature columns.
public enum MissingValuePolicy: String, Equatable, Sendable, Codable, CaseIterable {
    /// Stop loading with an error naming the first missing cell (the default).
    case error
    /// Drop every row that has a missing value in a column that is read (counted in
    /// ``CSVTable/droppedRows``).
    case drop
    /// Fill a missing numeric feature with its column's mean (or ``CSVOptions/fillValues``);
    /// a row whose target is missing is dropped, since a target is never invented. A missing
    /// categorical value is still an error.
    case mean
}

/// How to read a CSV file into features and targets.
///
/// - PyTorch / pandas: `pandas.read_csv(path, header=0, sep=None)` followed by choosing `X` and `y`
///   columns, `df.drop(columns=…)`, `dropna`/`fillna` and `LabelEncoder` for text labels.
public struct CSVOptions: Equatable, Sendable, Codable {
    /// The first record holds column names. The default value is `true`; without a header the
    /// columns are named `0`, `1`, …. (pandas: `header=0`, or `header=None` when `false`.)
    public var hasHeader: Bool
    /// The field separator, one ASCII character, or `nil` to detect it. The default value is `nil`:
    /// the first of `,` `;` tab `|` that splits the first lines (outside quotes) into the same
    /// number of fields, at least two; the one giving the most fields wins (``CSVTable/delimiter``
    /// says which was used). (pandas: `sep=None` with the Python engine sniffs similarly.)
    public var delimiter: Character?
    /// The target column(s). The default value is `nil`: the last column that is not dropped.
    /// `[]` reads features only (data to predict on); the targets are then an `[n, 0]` tensor.
    public var targets: [ColumnSelector]?
    /// The feature columns, in order. The default value is `nil`: every column that is not a
    /// target or dropped. `[]` reads no feature at all (for a labels-only file); otherwise a
    /// table without a feature column is an error.
    public var features: [ColumnSelector]?
    /// Feature columns that hold categories (text) rather than numbers; they are kept as text for a
    /// ``OneHotEncoder``. The default value is `[]`.
    public var categorical: [ColumnSelector]
    /// Whether the targets are real values or classes. The default value is `.automatic`.
    public var targetKind: TargetKind
    /// Columns not to read at all (an `id` column, say). The default value is `[]`.
    /// (pandas: `df.drop(columns=[…])`, or `usecols`.)
    public var drop: [ColumnSelector]
    /// What a missing value does. The default value is `.error`.
    public var missingValues: MissingValuePolicy
    /// Under `missingValues: .mean`, the value to fill each named feature column with instead of
    /// this file's mean: the training file's means (``CSVTable/fillValues``), so that evaluation
    /// and prediction fill as training did. Columns not named use this file's mean. The default
    /// value is `nil`. (scikit-learn: a `SimpleImputer` fitted on the training set.)
    public var fillValues: [String: Double]?

    /// Options for reading a CSV file; see each property for its meaning and default.
    public init(
        hasHeader: Bool = true, delimiter: Character? = nil, targets: [ColumnSelector]? = nil,
        features: [ColumnSelector]? = nil, categorical: [ColumnSelector] = [], targetKind: TargetKind = .automatic,
        drop: [ColumnSelector] = [], missingValues: MissingValuePolicy = .error, fillValues: [String: Double]? = nil
    ) {
        self.hasHeader = hasHeader
        self.delimiter = delimiter
        self.targets = targets
        self.features = features
        self.categorical = categorical
        self.targetKind = targetKind
        self.drop = drop
        self.missingValues = missingValues
        self.fillValues = fillValues
    }

    private enum CodingKeys: String, CodingKey {
        case hasHeader, delimiter, targets, features, categorical, targetKind, drop, missingValues, fillValues
    }
    /// Decodes options; the delimiter is stored as a one-character string, absent when detected.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        hasHeader = try container.decodeIfPresent(Bool.self, forKey: .hasHeader) ?? true
        if let text = try container.decodeIfPresent(String.self, forKey: .delimiter) {
            guard text.count == 1, let character = text.first else {
                throw DecodingError.dataCorruptedError(forKey: .delimiter, in: container, debugDescription: "the delimiter must be one character, got \"\(text)\"")
            }
            delimiter = character
        } else {
            delimiter = nil
        }
        targets = try container.decodeIfPresent([ColumnSelector].self, forKey: .targets)
        features = try container.decodeIfPresent([ColumnSelector].self, forKey: .features)
        categorical = try container.decodeIfPresent([ColumnSelector].self, forKey: .categorical) ?? []
        targetKind = try container.decodeIfPresent(TargetKind.self, forKey: .targetKind) ?? .automatic
        drop = try container.decodeIfPresent([ColumnSelector].self, forKey: .drop) ?? []
        missingValues = try container.decodeIfPresent(MissingValuePolicy.self, forKey: .missingValues) ?? .error
        fillValues = try container.decodeIfPresent([String: Double].self, forKey: .fillValues)
    }
    /// Encodes the options.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(hasHeader, forKey: .hasHeader)
        try container.encodeIfPresent(delimiter.map(String.init), forKey: .delimiter)
        try container.encodeIfPresent(targets, forKey: .targets)
        try container.encodeIfPresent(features, forKey: .features)
        try container.encode(categorical, forKey: .categorical)
        try container.encode(targetKind, forKey: .targetKind)
        try container.encode(drop, forKey: .drop)
        try container.encode(missingValues, forKey: .missingValues)
        try container.encodeIfPresent(fillValues, forKey: .fillValues)
    }

    /// The explicit delimiter as a byte, or a comma when it is to be detected (for readers that
    /// have no bytes to look at yet; ``delimiterByte(detectingIn:file:)`` detects).
    /// - Throws: ``DataError`` if it is not a single ASCII character.
    func delimiterByte() throws -> UInt8 {
        guard let delimiter else { return UInt8(ascii: ",") }
        guard let ascii = delimiter.asciiValue, ascii != UInt8(ascii: "\""), ascii != 10, ascii != 13 else {
            throw DataError("the CSV delimiter must be one ASCII character other than a quote or line break, got \"\(delimiter)\"")
        }
        return ascii
    }

    /// The delimiter for the CSV text in `bytes`: the explicit one, or the detected one
    /// (``CSVDelimiterDetection``). Streaming readers can call it on the first block of a file.
    func delimiterByte(detectingIn bytes: UnsafeBufferPointer<UInt8>) throws -> UInt8 {
        if delimiter != nil { return try delimiterByte() }
        return CSVDelimiterDetection.detect(in: bytes).delimiter
    }
}

/// Sorts class or category labels deterministically: numerically if every label is a number
/// (so `2` comes before `10`), otherwise by Unicode code points.
func sortedLabels(_ labels: some Sequence<String>) -> [String] {
    let unique = Array(Set(labels))
    let numbers = unique.map { label -> Double? in
        var text = label
        return text.withUTF8 { bytes -> Double? in
            guard let base = bytes.baseAddress, case .number(let x) = NumberParser.parse(base, bytes.count), !x.isNaN else { return nil }
            return x
        }
    }
    if numbers.allSatisfy({ $0 != nil }) {
        return zip(unique, numbers).sorted { $0.1! != $1.1! ? $0.1! < $1.1! : Array($0.0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.0.unicodeScalars.map(\.value)) }.map(\.0)
    }
    return unique.sorted { $0.unicodeScalars.map(\.value).lexicographicallyPrecedes($1.unicodeScalars.map(\.value)) }
}
