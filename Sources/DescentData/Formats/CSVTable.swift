import DescentCore

/// A column of categories kept as text, for one-hot encoding.
public struct CategoricalColumn: Equatable, Sendable, Codable {
    /// The column's name.
    public var name: String
    /// One category per row.
    public var values: [String]

    /// A column named `name` with one category per row.
    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }
}

/// A table read from a CSV file: numeric features, categorical features kept as text, and targets.
///
/// Turn it into a ``TensorDataset`` with ``dataset(encoder:)``; categorical columns need a
/// ``OneHotEncoder`` fitted on the training rows first:
///
///     let table: CSVTable<Float> = try CSVLoader.load("cars.csv", options: .init(targets: ["price"], categorical: ["make"]))
///     let split = try DataSplit.trainValidationTest(count: table.count, testFraction: 0.2, seed: 1)
///     let encoder = try OneHotEncoder.fit(table.rows(split.train).categoricalColumns)
///     let train = try table.rows(split.train).dataset(encoder: encoder)
///
/// - pandas: a `DataFrame` after `read_csv`, split into `X` and `y`.
public struct CSVTable<Scalar: TensorScalar>: Sendable {
    /// The file the table was read from.
    public var file: String?
    /// The numeric feature columns, shape `[rows, numericFeatureNames.count]`.
    public var features: Tensor<Scalar>
    /// The names of the numeric feature columns, in order.
    public var featureNames: [String]
    /// The categorical feature columns, as text.
    public var categoricalColumns: [CategoricalColumn]
    /// The targets: values `[rows, targetNames.count]` or class indices.
    public var targets: Targets<Scalar>
    /// The names of the target columns.
    public var targetNames: [String]
    /// For class targets, the label of each class index (sorted; see ``TargetKind/classification``).
    public var classNames: [String]?
    /// The field delimiter the file was read with (given, or detected; see ``CSVOptions/delimiter``).
    /// The default value, for a table not read from a file, is `,`.
    public var delimiter: Character = ","
    /// Things that did not stop loading but probably hurt training, each saying what to do: a
    /// header line that looks like data, ID-like feature columns. Empty when nothing was found.
    public var warnings: [String] = []
    /// Rows left out for a missing value (``MissingValuePolicy/drop``, or a missing target under
    /// ``MissingValuePolicy/mean``).
    public var droppedRows = 0
    /// Feature cells filled under ``MissingValuePolicy/mean``.
    public var filledCells = 0
    /// Under ``MissingValuePolicy/mean``: the value each numeric feature column was (or would
    /// have been) filled with, by column name: this file's mean, or the one given in
    /// ``CSVOptions/fillValues``. Save it with a model so that evaluation and prediction fill
    /// the same way. Empty under the other policies.
    public var fillValues: [String: Double] = [:]

    /// The number of rows.
    public var count: Int { features.shape[0] }

    /// The rows at `indices`, in that order. - Throws: ``DataError`` for an index out of range.
    public func rows(_ indices: [Int]) throws -> CSVTable {
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) { throw DataError(file: file, "row index \(bad) is out of range 0..<\(count)") }
        var result = self
        result.features = gatherRows(features, indices)
        result.categoricalColumns = categoricalColumns.map { column in CategoricalColumn(name: column.name, values: indices.map { column.values[$0] }) }
        result.targets = targets.gathering(indices)
        return result
    }

    /// The table as a dataset: numeric features followed by the encoder's one-hot columns.
    /// - Parameter encoder: a one-hot encoder fitted on training rows; needed when the table has
    ///   categorical columns. The default value is `nil`.
    /// - Throws: ``DataError`` if categorical columns are present without an encoder, or hold a
    ///   category the encoder has not seen.
    public func dataset(encoder: OneHotEncoder? = nil) throws -> TensorDataset<Scalar> {
        var allFeatures = features
        var names = featureNames
        if !categoricalColumns.isEmpty {
            guard let encoder else {
                throw DataError(file: file, "columns \(categoricalColumns.map { "\"\($0.name)\"" }.joined(separator: ", ")) are categorical: "
                                + "fit a OneHotEncoder on the training rows and pass it as `encoder:`")
            }
            let encoded: Tensor<Scalar> = try encoder.transform(categoricalColumns)
            allFeatures = try Tensor.concatenate([features, encoded], alongAxis: 1)
            names += encoder.outputNames
        }
        return try TensorDataset(features: allFeatures, targets: targets, featureNames: names, classNames: classNames, classCount: classNames?.count)
    }
}
