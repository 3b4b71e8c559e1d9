import DescentCore

/// One-hot encoding of categorical columns: a column with k categories becomes k columns of 0/1.
///
///     color ∈ {blue, green, red}:   "green" → [0, 1, 0]
///
/// Categories are fitted on the training split and sorted (numerically if all are numbers,
/// otherwise by code points), so the column order is deterministic. A category not seen in
/// fitting is an error at transform time by default (the model never learnt a weight for it);
/// choose ``UnknownCategory/allZeros`` to encode it as all zeros instead.
///
/// - scikit-learn: `sklearn.preprocessing.OneHotEncoder(handle_unknown="error" | "ignore")`;
///   PyTorch: `torch.nn.functional.one_hot` on category indices.
public struct OneHotEncoder: Equatable, Sendable, Codable {
    /// What to do with a category that was not seen when fitting.
    public enum UnknownCategory: String, Equatable, Sendable, Codable {
        /// Throw a ``DataError`` naming the row, column and category.
        case error
        /// Encode it as all zeros.
        case allZeros
    }

    /// One encoded column: its name and its categories in output order.
    public struct Column: Equatable, Sendable, Codable {
        /// The column name.
        public var name: String
        /// The categories, in the order of the output columns.
        public var categories: [String]
    }

    /// The encoded columns, in order.
    public var columns: [Column]
    /// The policy for unseen categories. The default value is `.error`.
    public var unknownCategory: UnknownCategory

    /// Fits the categories of each column on the training rows.
    /// - Parameters:
    ///   - unknownCategory: the policy for unseen categories. The default value is `.error`.
    ///   - columns: the categorical columns of the training rows, in order.
    public static func fit(_ columns: [CategoricalColumn], unknownCategory: UnknownCategory = .error) throws -> OneHotEncoder {
        OneHotEncoder(columns: columns.map { Column(name: $0.name, categories: sortedLabels($0.values)) }, unknownCategory: unknownCategory)
    }

    /// The output column names, `name=category`.
    public var outputNames: [String] { columns.flatMap { column in column.categories.map { "\(column.name)=\($0)" } } }

    /// The 0/1 encoding of `input`, shape `[rows, outputNames.count]`.
    /// - Throws: ``DataError`` if the columns differ from the fitted ones or (with `.error`) a
    ///   category was not seen when fitting.
    public func transform<Scalar: TensorScalar>(_ input: [CategoricalColumn]) throws -> Tensor<Scalar> {
        guard input.map(\.name) == columns.map(\.name) else {
            throw DataError("the one-hot encoder was fitted on columns \(columns.map(\.name)) but got \(input.map(\.name))")
        }
        let rows = input.first?.values.count ?? 0
        let width = columns.reduce(0) { $0 + $1.categories.count }
        var hot: [Int] = []  // flat positions of the ones
        hot.reserveCapacity(rows * columns.count)
        var offset = 0
        for (column, values) in zip(columns, input) {
            guard values.values.count == rows else { throw DataError("categorical column \"\(column.name)\" has \(values.values.count) rows, expected \(rows)") }
            let position = Dictionary(uniqueKeysWithValues: column.categories.enumerated().map { ($1, $0) })
            for (row, value) in values.values.enumerated() {
                if let k = position[value] {
                    hot.append(row * width + offset + k)
                } else if unknownCategory == .error {
                    throw DataError(columnName: column.name,
                                    "row \(row): category \"\(value)\" was not seen when the encoder was fitted; known categories: "
                                    + column.categories.joined(separator: ", ") + " (refit on data that includes it, or use unknownCategory: .allZeros)")
                }
            }
            offset += column.categories.count
        }
        var result = Tensor<Scalar>(zeros: [rows, width])
        result.withUnsafeMutableBufferPointer { out in for i in hot { out[i] = 1 } }
        return result
    }
}
