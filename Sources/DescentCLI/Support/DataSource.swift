import ArgumentParser
import Descent
import Foundation

/// Reading `--data` values: a built-in dataset (`builtin:NAME(…)`), CSV text, MNIST-style IDX
/// images with their label file, or a NumPy `.npy` array with its labels. The format comes from
/// the file's first bytes, not its name.
enum DataSource {
    struct Loaded<Scalar: TensorScalar> {
        var dataset: TensorDataset<Scalar>
        var task: LearningTask
        var target: String?
        var classNames: [String]?
        /// The one-hot encoder of the categorical columns (fitted here on training data, or the one given).
        var encoder: OneHotEncoder?
        /// The fill values of missing CSV features (`--missing mean`), by column name.
        var fillValues: [String: Double]?
        /// What the reader noticed that does not stop training (an ID-like column, a headerless file…).
        var warnings: [String] = []
    }

    /// Most distinct values an integer-valued numeric target may have to be read as classes.
    static let maximumInferredClasses = 20

    /// Loads `source`.
    /// - Parameters:
    ///   - labels: the label file of IDX images or `.npy` features.
    ///   - classNames: the training data's classes: labels are numbered as in training, and a label
    ///     training never saw is an error.
    ///   - encoder: the training data's one-hot encoder; `nil` fits one on this file.
    ///   - fillValues: the training data's fill values for `--missing mean`; `nil` computes them.
    ///   - keepsSampleShape: keep each sample's shape (`[c, h, w]` images, or the shape
    ///     `reading.inputShape` gives) for a model that takes images; otherwise features are rows
    ///     `[n, f]`, as a dense model takes them. The default value is `false`.
    static func load<Scalar: TensorScalar>(
        _ source: String, target: String?, task: LearningTask?, classNames: [String]?, reading: DataReading, labels: String?,
        encoder: OneHotEncoder? = nil, fillValues: [String: Double]? = nil, seed: UInt64, keepsSampleShape: Bool = false, as _: Scalar.Type
    ) throws -> Loaded<Scalar> {
        var loaded: Loaded<Scalar> = try loadInNaturalShape(source, target: target, task: task, classNames: classNames, reading: reading, labels: labels,
                                                            encoder: encoder, fillValues: fillValues, seed: seed)
        loaded.dataset = try shaped(loaded.dataset, reading: reading, keepsSampleShape: keepsSampleShape, source: source)
        return loaded
    }

    /// `dataset` in the layout a model takes: reshaped to `reading.inputShape` when given (checked
    /// against the feature count, with a message saying both), then kept in that shape, or the
    /// file's own sample shape, when `keepsSampleShape`, else flattened to rows.
    /// - Throws: `ValidationError` when the input shape does not fit the features.
    static func shaped<Scalar: TensorScalar>(_ dataset: TensorDataset<Scalar>, reading: DataReading, keepsSampleShape: Bool,
                                             source: String) throws -> TensorDataset<Scalar> {
        var dataset = dataset
        if let sizes = reading.inputShape {
            dataset = try wrapDataErrors { try dataset.reshapingSamples(to: SampleShape(sizes), source: source) }
        }
        return keepsSampleShape ? dataset : try flattened(dataset)
    }

    /// The dataset as the file holds it: IDX images `(n, h, w)` as `[n, 1, h, w]`, `(n, c, h, w)`
    /// and `.npy` arrays of any rank kept, CSV and built-in data as rows.
    static func loadInNaturalShape<Scalar: TensorScalar>(
        _ source: String, target: String?, task: LearningTask?, classNames: [String]?, reading: DataReading, labels: String?,
        encoder: OneHotEncoder?, fillValues: [String: Double]?, seed: UInt64
    ) throws -> Loaded<Scalar> {
        if BuiltinDataset.isBuiltin(source) {
            var dataset: TensorDataset<Scalar> = try wrapDataErrors { try BuiltinDataset.make(source, seed: seed) }
            dataset = try flattened(dataset)
            let inferred: LearningTask = dataset.targets.classes != nil ? .classification : .regression
            if let task, task != inferred { throw ValidationError("\(source) is a \(inferred) dataset; --task \(task.rawValue) does not fit it") }
            let names = dataset.classNames ?? dataset.classCount.map { (0..<$0).map(String.init) }
            return Loaded(dataset: dataset, task: inferred, target: nil, classNames: names)
        }
        guard FileManager.default.fileExists(atPath: source) else {
            throw ValidationError("there is no file \(source)\(missingPathSuggestion(source)); give a data file (CSV or other delimited text, IDX images or a .npy array with --labels) or a built-in dataset such as builtin:spirals (\(BuiltinDataset.names.joined(separator: ", ")))")
        }
        switch try wrapDataErrors({ try DataFileFormat.detect(path: source) }) {
        case .csv:
            if let labels { throw ValidationError("--labels \(labels) goes with IDX images or .npy features; \(source) is CSV text, whose target is a column (--target)") }
            return try loadCSV(source, target: target, task: task, classNames: classNames, reading: reading, encoder: encoder,
                               fillValues: fillValues)
        case .idx, .npy:
            guard let labels else {
                throw ValidationError("\(source) holds features only; give their labels or targets with --labels FILE (an IDX label file, a .npy array or a one-column CSV file)")
            }
            return try loadArrays(source, labels: labels, task: task, classNames: classNames)
        }
    }

    /// IDX images or a `.npy` array with a label file (IDX, `.npy` or one-column text): class
    /// labels, or real values for float arrays and fractions (``ArrayDatasetLoader``'s rule), unless
    /// `task` says which. A plain `.npy` of the run's element type is memory-mapped, not copied.
    /// Features keep their shape (IDX `(n, h, w)` as `[n, 1, h, w]`); ``shaped(_:reading:keepsSampleShape:source:)`` flattens them for dense models.
    static func loadArrays<Scalar: TensorScalar>(_ source: String, labels: String, task: LearningTask?, classNames: [String]?) throws -> Loaded<Scalar> {
        let kind: TargetKind = task == .classification ? .classification : task == .regression ? .regression : .automatic
        var dataset: TensorDataset<Scalar> = try wrapDataErrors {
            try ArrayDatasetLoader.load(features: source, labels: labels, targetKind: kind, flatten: false, classCount: nil)
        }
        guard dataset.targets.classes != nil else {
            return Loaded(dataset: dataset, task: .regression, target: nil, classNames: nil)
        }
        var names = dataset.classNames ?? (0..<(dataset.classCount ?? 0)).map(String.init)
        if let classNames, let labels = dataset.targets.classes {
            // Number the classes as training did (by name): a label training never saw is an error.
            let index = Dictionary(classNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            let mapping = try names.map { name -> Int in
                guard let i = index[name] else {
                    throw ValidationError("\(source): the class \"\(name)\" does not occur in the training data (classes: \(classNames.joined(separator: ", ")))")
                }
                return i
            }
            dataset = try wrapDataErrors {
                try TensorDataset(features: dataset.features, targets: .classes(labels.map { mapping[$0] }), classNames: classNames,
                                  classCount: classNames.count)
            }
            names = classNames
        }
        return Loaded(dataset: dataset, task: .classification, target: nil, classNames: names)
    }

    /// A CSV file.
    static func loadCSV<Scalar: TensorScalar>(
        _ source: String, target: String?, task: LearningTask?, classNames: [String]?, reading: DataReading,
        encoder: OneHotEncoder?, fillValues: [String: Double]?
    ) throws -> Loaded<Scalar> {
        func read(_ kind: TargetKind) throws -> CSVTable<Scalar> {
            try wrapDataErrors {
                try CSVLoader.load(source, options: reading.csvOptions(targets: target.map { [ColumnSelector(parsing: $0)] }, targetKind: kind,
                                                                      fillValues: fillValues))
            }
        }
        var table = try read(task == .classification ? .classification : task == .regression ? .regression : .automatic)
        if task == nil, let values = table.targets.values, values.shape.count == 2, values.shape[1] == 1 {
            // Whole numbers with few distinct values are classes, numbered in increasing order as a
            // classification read would number them; converted here rather than by parsing the file
            // again. (Their names are the numbers written as integers: a file that writes `1.0`
            // shows class `1`.)
            let targets = values.doubles
            let distinct = Set(targets)
            if distinct.allSatisfy({ $0 == $0.rounded() && Swift.abs($0) < 1e15 }) && distinct.count <= maximumInferredClasses && distinct.count < table.count {
                let sorted = distinct.sorted()
                let index = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, $0) })
                table.targets = .classes(targets.map { index[$0] ?? 0 })
                table.classNames = sorted.map { String(Int64($0)) }
            }
        }
        let resolvedTask: LearningTask = table.targets.classes != nil ? .classification : .regression
        let fittedEncoder = try encoder ?? (table.categoricalColumns.isEmpty ? nil : wrapDataErrors { try OneHotEncoder.fit(table.categoricalColumns) })
        var dataset = try wrapDataErrors { try table.dataset(encoder: fittedEncoder) }
        guard dataset.featureShape.reduce(1, *) > 0 else {
            throw ValidationError("\(source) has no feature columns (only the target \(table.targetNames.joined(separator: ", "))); a model needs at least one input")
        }
        var names = table.classNames
        if let classNames, let own = table.classNames, own != classNames, let labels = dataset.targets.classes {
            let index = Dictionary(classNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            let mapping = try own.map { label -> Int in
                guard let i = index[label] else {
                    throw ValidationError("\(source): the class \"\(label)\" does not occur in the training data (classes: \(classNames.joined(separator: ", ")))")
                }
                return i
            }
            dataset = try wrapDataErrors {
                try TensorDataset(features: dataset.features, targets: .classes(labels.map { mapping[$0] }), featureNames: dataset.featureNames,
                                  classNames: classNames, classCount: classNames.count)
            }
            names = classNames
        }
        return Loaded(dataset: dataset, task: resolvedTask, target: table.targetNames.first, classNames: names, encoder: fittedEncoder,
                      fillValues: table.fillValues.isEmpty ? nil : table.fillValues, warnings: table.warnings + table.missingValueNotes)
    }

    /// The dataset with features reshaped to `[n, product of the feature shape]`.
    static func flattened<Scalar: TensorScalar>(_ dataset: TensorDataset<Scalar>) throws -> TensorDataset<Scalar> {
        guard dataset.features.rank > 2 else { return dataset }
        return try wrapDataErrors { try dataset.replacingFeatures(dataset.features.reshaped(to: [dataset.count, -1])) }
    }
}

extension CSVTable {
    /// What `--missing drop` or `--missing mean` did, for the run's messages.
    var missingValueNotes: [String] {
        var notes: [String] = []
        if droppedRows > 0 { notes.append("\(file ?? "the file"): \(droppedRows) row\(droppedRows == 1 ? "" : "s") with a missing value left out") }
        if filledCells > 0 { notes.append("\(file ?? "the file"): \(filledCells) missing value\(filledCells == 1 ? "" : "s") filled with the training file's column mean") }
        return notes
    }
}
