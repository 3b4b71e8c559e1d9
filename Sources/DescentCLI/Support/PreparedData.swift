import ArgumentParser
import Descent
import Foundation

/// Classification or regression.
enum LearningTask: String, Codable, ExpressibleByArgument, CaseIterable {
    case classification, regression
}

/// What `descent evaluate` and `descent predict` need to treat new data as the training data was
/// treated: saved as `preprocessing.json` in the output folder.
struct Preprocessing: Codable, Equatable {
    var task: LearningTask
    /// The target column of CSV data (as given, or the name found), `nil` for built-in data.
    var target: String?
    /// The feature columns of CSV data, in the model's input order.
    var featureNames: [String]?
    /// The class labels in index order (classification).
    var classNames: [String]?
    /// The number of model inputs and outputs.
    var inputs: Int
    var outputs: Int
    /// μ and σ fitted on the training split (`nil` without standardisation).
    var standardizer: Standardizer?
    /// The model and loss specs, and the element type (`float` or `double`).
    var model: String
    var loss: String
    var precision: String
}

/// The data of a run, loaded, split and standardised.
struct PreparedData<Scalar: TensorScalar> {
    var train: TensorDataset<Scalar>
    var validation: TensorDataset<Scalar>?
    var test: TensorDataset<Scalar>?
    var task: LearningTask
    var target: String?
    var classNames: [String]?
    var standardizer: Standardizer?

    /// Loads the training data (and validation/test data) as `configuration` says.
    static func load(_ configuration: TrainConfiguration) throws -> PreparedData {
        let task = try configuration.task.map { text -> LearningTask in
            guard let task = LearningTask(rawValue: text) else { throw ValidationError("--task must be classification or regression, not `\(text)`") }
            return task
        }
        let loaded = try DataSource.load(configuration.data, target: configuration.target, task: task, classNames: nil,
                                         seed: configuration.seed, as: Scalar.self)
        var train = loaded.dataset
        var validation: TensorDataset<Scalar>?
        if let file = configuration.validation {
            validation = try DataSource.load(file, target: configuration.target ?? loaded.target, task: loaded.task,
                                             classNames: loaded.classNames, seed: configuration.seed &+ 1, as: Scalar.self).dataset
        } else if configuration.resolvedValidationSplit > 0 {
            guard configuration.resolvedValidationSplit < 1 else { throw ValidationError("--validation-split must be in [0, 1), not \(configuration.resolvedValidationSplit)") }
            let split = try wrapDataErrors {
                try DataSplit.trainValidationTest(count: train.count, validationFraction: configuration.resolvedValidationSplit,
                                                  seed: configuration.seed, stratifiedBy: train.targets.classes)
            }
            validation = try wrapDataErrors { try train.subset(split.validation) }
            train = try wrapDataErrors { try train.subset(split.train) }
        }
        let test = try configuration.test.map {
            try DataSource.load($0, target: configuration.target ?? loaded.target, task: loaded.task, classNames: loaded.classNames,
                                seed: configuration.seed &+ 2, as: Scalar.self).dataset
        }
        var prepared = PreparedData(train: train, validation: validation, test: test, task: loaded.task, target: loaded.target,
                                    classNames: loaded.classNames, standardizer: nil)
        if configuration.standardize {
            let standardizer = try wrapDataErrors { try Standardizer.fit(prepared.train.features) }
            prepared.standardizer = standardizer
            prepared.train = try prepared.apply(standardizer, to: prepared.train)
            prepared.validation = try prepared.validation.map { try prepared.apply(standardizer, to: $0) }
            prepared.test = try prepared.test.map { try prepared.apply(standardizer, to: $0) }
        }
        return prepared
    }

    func apply(_ standardizer: Standardizer, to dataset: TensorDataset<Scalar>) throws -> TensorDataset<Scalar> {
        try wrapDataErrors { try dataset.replacingFeatures(standardizer.transform(dataset.features)) }
    }

    /// Model inputs: the product of the feature shape.
    var inputCount: Int { train.featureShape.reduce(1, *) }
}

/// Reading `--data` values: a CSV file or `builtin:NAME(…)`.
enum DataSource {
    struct Loaded<Scalar: TensorScalar> {
        var dataset: TensorDataset<Scalar>
        var task: LearningTask
        var target: String?
        var classNames: [String]?
    }

    /// Most distinct values an integer-valued numeric target may have to be read as classes.
    static let maximumInferredClasses = 20

    /// Loads `source`. With `classNames` (from the training data), class labels are numbered as
    /// in training; a label training never saw is an error.
    static func load<Scalar: TensorScalar>(
        _ source: String, target: String?, task: LearningTask?, classNames: [String]?, seed: UInt64, as _: Scalar.Type
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
            throw ValidationError("there is no file \(source); give a CSV file or a built-in dataset such as builtin:spirals (\(BuiltinDataset.names.joined(separator: ", ")))")
        }
        func read(_ kind: TargetKind) throws -> CSVTable<Scalar> {
            try wrapDataErrors {
                try CSVLoader.load(source, options: CSVOptions(targets: target.map { [ColumnSelector(parsing: $0)] }, targetKind: kind))
            }
        }
        var table = try read(task == .classification ? .classification : task == .regression ? .regression : .automatic)
        if task == nil, let values = table.targets.values, values.shape.count == 2, values.shape[1] == 1 {
            let distinct = Set(values.doubles)
            if distinct.allSatisfy({ $0 == $0.rounded() }) && distinct.count <= maximumInferredClasses && distinct.count < table.count {
                table = try read(.classification)
            }
        }
        let resolvedTask: LearningTask = table.targets.classes != nil ? .classification : .regression
        var dataset = try wrapDataErrors { try table.dataset() }
        var names = table.classNames
        if let classNames, let own = table.classNames, own != classNames, let labels = dataset.targets.classes {
            let index = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
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
        return Loaded(dataset: dataset, task: resolvedTask, target: table.targetNames.first, classNames: names)
    }

    /// The dataset with features reshaped to `[n, product of the feature shape]`.
    static func flattened<Scalar: TensorScalar>(_ dataset: TensorDataset<Scalar>) throws -> TensorDataset<Scalar> {
        guard dataset.features.rank > 2 else { return dataset }
        return try wrapDataErrors { try dataset.replacingFeatures(dataset.features.reshaped(to: [dataset.count, -1])) }
    }
}

/// Runs `body`, turning data errors (which name the file, line and column) into validation errors.
func wrapDataErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as DataError {
        throw ValidationError(error.description)
    } catch let error as SpecError {
        throw ValidationError(error.message)
    }
}
