/// An error reading or preparing data, with where it happened and what was expected.
///
/// Every loader in DescentData throws this type. Its ``description`` reads like a compiler
/// diagnostic, so a user can go straight to the cell or byte that is wrong:
///
///     data.csv:17:3 (column "petal_width"): expected a number, found "n/a"
///     train-images-idx3-ubyte.gz: byte 16: the file ends after 47,040 of 47,040,000 image bytes
///
/// - PyTorch: there is no single equivalent; `pandas.errors.ParserError` and NumPy's
///   `ValueError`s play this role there.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file (or data source, such as `builtin:spirals`) the problem is in; `nil` for in-memory data.
    public var file: String?
    /// The 1-based line in a text file, when known.
    public var line: Int?
    /// The 1-based column (field number) in a text file, when known.
    public var column: Int?
    /// The name of the column from the header, when known.
    public var columnName: String?
    /// The 0-based byte offset in a binary file, when known.
    public var byteOffset: Int?
    /// What was wrong and what was expected.
    public var message: String

    /// An error with the given location and message.
    public init(
        file: String? = nil, line: Int? = nil, column: Int? = nil, columnName: String? = nil,
        byteOffset: Int? = nil, _ message: String
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
        self.byteOffset = byteOffset
        self.message = message
    }

    /// `file:line:column (column "name"): message`, or `file: byte N: message` for binary files.
    public var description: String {
        var location = file ?? ""
        if let line {
            location += (location.isEmpty ? "line " : ":") + "\(line)"
            if let column { location += ":\(column)" }
        } else if let column {
            location += (location.isEmpty ? "" : ": ") + "column \(column)"
        }
        if let columnName { location += (location.isEmpty ? "" : " ") + "(column \"\(columnName)\")" }
        if let byteOffset { location += (location.isEmpty ? "" : ": ") + "byte \(byteOffset)" }
        return location.isEmpty ? message : "\(location): \(message)"
    }
}
