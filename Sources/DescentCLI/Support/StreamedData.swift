import ArgumentParser
import Descent
import Foundation

/// The data of a run that reads its files from disk a chunk at a time (`--stream`, or data that
/// would not fit `--memory-limit`): the training, validation and test streams, standardised as
/// they are read with statistics from a pass over the training part, and a few rows of the
/// shown data held in memory for the report's prediction charts.
struct StreamedData<Scalar: TensorScalar> {
    var train: StreamingDataset<Scalar>
    var validation: StreamingDataset<Scalar>?
    var test: StreamingDataset<Scalar>?
    /// The task, classes, standardisation and reading settings, and the rows the report shows.
    var description: PreparedData<Scalar>

    /// Rows of the validation (else training) stream kept in memory for the report's charts.
    static var shownRows: Int { 2000 }

    /// Opens the streams `configuration` names (one indexing pass over each file, two passes over
    /// the training part to fit the standardisation).
    /// - Throws: `ValidationError` for what streaming cannot do (gzip files, categorical columns,
    ///   filling or dropping missing values, a validation file with other classes), and as loading does.
    static func open(_ configuration: TrainConfiguration) throws -> StreamedData {
        let source = configuration.data
        guard !BuiltinDataset.isBuiltin(source) else {
            throw ValidationError("built-in datasets are made in memory; --stream reads files (CSV, IDX or .npy)")
        }
        let task = try configuration.task.map { text -> LearningTask in
            guard let task = LearningTask(rawValue: text) else { throw ValidationError("--task must be classification or regression, not `\(text)`") }
            return task
        }
        let reading = try DataReading(configuration)
        guard reading.categorical.isEmpty else {
            throw ValidationError("--categorical needs the whole file in memory to fit the one-hot encoding; one-hot encode the columns in the file, or train without --stream")
        }
        guard reading.missing == .error else {
            throw ValidationError("--missing \(reading.missing.rawValue) is not available when streaming; fill or drop the missing values in the file, or train without --stream")
        }
        // Chunks of at most 1024 rows and about 1 MB (a window is whole chunks, so small chunks let a
        // small memory limit hold one), and at least 20 chunks in a smaller file, so that a
        // validation share and the full-loss sample (whole chunks) are spread over it.
        var chunkRows = 1024
        let keepsShape = ModelInput.keepsSampleShape(configuration.model)
        var train = try open(source, labels: reading.labels, target: configuration.target, task: task, reading: reading, chunkRows: chunkRows,
                             keepsSampleShape: keepsShape)
        let rowBytes = Swift.max(train.featuresPerRow * MemoryLayout<Scalar>.stride, 1)
        let wanted = Swift.max(1, Swift.min(1024, Swift.max(16, (1 << 20) / rowBytes), train.count >= 40 ? train.count / 20 : 1024))
        if wanted != chunkRows {
            chunkRows = wanted
            train = try open(source, labels: reading.labels, target: configuration.target, task: task, reading: reading, chunkRows: chunkRows,
                             keepsSampleShape: keepsShape)
        }
        let resolvedTask: LearningTask = train.classCount != nil ? .classification : .regression
        var validation: StreamingDataset<Scalar>?
        if let file = configuration.validation {
            validation = try open(file, labels: configuration.validationLabels, target: configuration.target, task: resolvedTask, reading: reading,
                                  chunkRows: chunkRows, keepsSampleShape: keepsShape)
        } else if configuration.resolvedValidationSplit > 0 {
            let split = try wrapDataErrors { try train.splitting(validationFraction: configuration.resolvedValidationSplit, seed: configuration.seed) }
            train = split.training
            validation = split.validation
        }
        var test = try configuration.test.map {
            try open($0, labels: configuration.testLabels, target: configuration.target, task: resolvedTask, reading: reading, chunkRows: chunkRows,
                     keepsSampleShape: keepsShape)
        }
        for (name, other) in [("--validation", validation), ("--test", test)] {
            if let other, other.classNames != train.classNames || other.featureShape != train.featureShape {
                throw ValidationError("\(name): a streamed file must have the training file's features and classes "
                                      + "(\(other.featuresPerRow) features, classes \(other.classNames ?? []) against \(train.featuresPerRow) and \(train.classNames ?? [])); "
                                      + "use --validation-split, or train without --stream")
            }
        }
        let fitsTarget = configuration.standardizeTarget && resolvedTask == .regression
        var standardizer: Standardizer?, targetStandardizer: Standardizer?
        if configuration.standardize || fitsTarget {
            let fitted = try wrapDataErrors { try train.fittingStandardizers(targets: fitsTarget) }
            standardizer = configuration.standardize ? fitted.features : nil
            targetStandardizer = fitted.targets
            func standardized(_ data: StreamingDataset<Scalar>) throws -> StreamingDataset<Scalar> {
                try wrapDataErrors { try data.standardizing(features: standardizer, targets: targetStandardizer) }
            }
            train = try standardized(train)
            validation = try validation.map(standardized)
            test = try test.map(standardized)
        }
        let classNames = train.classNames ?? train.classCount.map { (0..<$0).map(String.init) }
        let shown = try firstRows(of: test ?? validation ?? train)
        let description = PreparedData<Scalar>(
            train: shown, validation: nil, test: nil, task: resolvedTask, target: configuration.target,
            classNames: classNames, standardizer: standardizer, targetStandardizer: targetStandardizer, reading: reading, encoder: nil,
            fillValues: nil, warnings: [])
        return StreamedData(train: train, validation: validation, test: test, description: description)
    }

    /// A streaming view of one file, in the format its content shows, its samples in the shape
    /// `reading.inputShape` gives (else the file's own) when `keepsSampleShape`, else as rows.
    static func open(_ file: String, labels: String?, target: String?, task: LearningTask?, reading: DataReading, chunkRows: Int,
                     keepsSampleShape: Bool = false) throws -> StreamingDataset<Scalar> {
        var dataset = try openInNaturalShape(file, labels: labels, target: target, task: task, reading: reading, chunkRows: chunkRows,
                                             keepsSampleShape: keepsSampleShape)
        if let sizes = reading.inputShape {
            dataset = try wrapDataErrors { try dataset.reshapingSamples(to: SampleShape(sizes)) }
        }
        if !keepsSampleShape && dataset.featureShape.count > 1 {
            dataset = try wrapDataErrors { try dataset.reshapingSamples(to: SampleShape([dataset.featuresPerRow])) }
        }
        return dataset
    }

    static func openInNaturalShape(_ file: String, labels: String?, target: String?, task: LearningTask?, reading: DataReading, chunkRows: Int,
                                   keepsSampleShape: Bool) throws -> StreamingDataset<Scalar> {
        guard FileManager.default.fileExists(atPath: file) else { throw ValidationError("there is no file \(file)\(missingPathSuggestion(file))") }
        switch try wrapDataErrors({ try DataFileFormat.detect(path: file) }) {
        case .csv:
            if let labels { throw ValidationError("--labels \(labels) goes with IDX images or .npy features; \(file) is CSV text, whose target is a column (--target)") }
            func index(_ kind: TargetKind) throws -> StreamingDataset<Scalar> {
                try wrapDataErrors {
                    try .csv(file, options: reading.csvOptions(targets: target.map { [ColumnSelector(parsing: $0)] }, targetKind: kind, fillValues: nil),
                             chunkRows: chunkRows)
                }
            }
            if let task { return try index(task == .classification ? .classification : .regression) }
            // As in memory: text, or whole numbers with few distinct values, mean classes.
            let asClasses = try index(.classification)
            let names = asClasses.classNames ?? []
            let wholeNumbers = names.allSatisfy { Double($0).map { $0 == $0.rounded() } ?? false }
            if wholeNumbers && names.count <= DataSource.maximumInferredClasses && names.count < asClasses.count { return asClasses }
            return names.allSatisfy({ Double($0) != nil }) ? try index(.regression) : asClasses
        case .idx, .npy:
            guard let labels else {
                throw ValidationError("\(file) holds features only; give their labels or targets with --labels FILE (an IDX label file, a .npy array or a one-column CSV file)")
            }
            let kind: TargetKind = task == .classification ? .classification : task == .regression ? .regression : .automatic
            return try wrapDataErrors {
                try DataFileFormat.detect(path: file) == .idx
                    ? .idx(images: file, labels: labels, flatten: !keepsSampleShape, chunkRows: chunkRows)
                    : .npy(features: file, labels: labels, targetKind: kind, flatten: !keepsSampleShape, chunkRows: chunkRows)
            }
        }
    }

    /// The first ``shownRows`` rows of `data` (fewer when rows are wide: at most about 8 MB), in memory.
    static func firstRows(of data: StreamingDataset<Scalar>) throws -> TensorDataset<Scalar> {
        let rowBytes = Swift.max(data.featuresPerRow + data.targetCount, 1) * MemoryLayout<Scalar>.stride
        let rows = Swift.max(1, Swift.min(shownRows, data.count, Swift.max(16, (8 << 20) / rowBytes)))
        let budget = 4 * rows * rowBytes + 2 * data.chunkRows * rowBytes + (4 << 20)
        let loader = try wrapDataErrors {
            try StreamingLoader(data, batchSize: .samples(rows), memoryBudget: budget, prefetch: false)
        }
        guard let batch = try wrapDataErrors({ try loader.batches(epoch: 0, startingAt: 0).next() }) else {
            throw ValidationError("the streamed data has no rows")
        }
        return try wrapDataErrors {
            try TensorDataset(features: batch.features, targets: batch.targets, featureNames: data.featureNames, classNames: data.classNames,
                              classCount: data.classCount)
        }
    }
}
