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
    /// The number of model inputs (the product of `inputShape`) and outputs.
    var inputs: Int
    /// The shape of one sample a model that takes images was trained on (`[c, h, w]`); `nil` for a
    /// model that takes rows of `inputs` features (and in folders written before it existed).
    var inputShape: [Int]?
    var outputs: Int
    /// μ and σ of the features, fitted on the training split (`nil` without standardisation).
    var standardizer: Standardizer?
    /// μ and σ of a regression target, fitted on the training split (`nil` for classification or
    /// `--no-standardize-target`): the model predicts `(y − μ)/σ`, and predictions are mapped back.
    var targetStandardizer: Standardizer?
    /// How the training files were read (delimiter, header, dropped and categorical columns,
    /// missing values), so that new files are read alike; `nil` in folders written before it existed.
    var reading: DataReading?
    /// The one-hot encoder of the categorical columns, fitted on the training file.
    var encoder: OneHotEncoder?
    /// The fill values of missing features (`--missing mean`), by column.
    var fillValues: [String: Double]?
    /// The model and loss specs, and the element type (`float` or `double`).
    var model: String
    var loss: String
    var precision: String
}

extension Preprocessing {
    /// Checks what a saved `preprocessing.json` says as untrusted input (it may have been edited):
    /// sizes of at least 1, one distinct class name per class, a known element type.
    /// (The model's size against memory is checked when it is built, ``ModelSpec/checkFits(inputs:outputs:bytesPerScalar:memoryLimit:)``.)
    /// - Throws: `ValidationError` naming the field.
    func validate() throws {
        guard inputs >= 1 else { throw ValidationError("`inputs` is \(inputs); a model takes at least 1 input") }
        guard outputs >= 1 else { throw ValidationError("`outputs` is \(outputs); a model has at least 1 output") }
        if let inputShape {
            let shape = try wrapDataErrors { try SampleShape(inputShape) }
            guard shape.elementCount == inputs else {
                throw ValidationError("`inputShape` \(shape) holds \(shape.elementCount) values, but `inputs` is \(inputs)")
            }
        }
        guard ["float", "double"].contains(precision) else { throw ValidationError("`precision` is `\(precision)`, not float or double") }
        if let names = featureNames, encoder == nil, names.count != inputs {
            throw ValidationError("`featureNames` has \(names.count) names for \(inputs) inputs")
        }
        if let names = classNames {
            // One output per class, or one logit for one or two classes (a binary loss).
            let allowed = outputs == 1 ? 1...2 : outputs...outputs
            guard allowed.contains(names.count) else {
                throw ValidationError("`classNames` has \(names.count) names, but the model's \(outputs) outputs need \(outputs)")
            }
            var seen = Set<String>()
            for name in names where !seen.insert(name).inserted {
                throw ValidationError("`classNames` names the class `\(name)` twice; each class needs its own name")
            }
        }
    }
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
    var targetStandardizer: Standardizer?
    var reading: DataReading
    var encoder: OneHotEncoder?
    var fillValues: [String: Double]?
    /// What the reader noticed in the files that does not stop training.
    var warnings: [String] = []

    /// Loads the training data (and validation/test data) as `configuration` says.
    static func load(_ configuration: TrainConfiguration) throws -> PreparedData {
        let task = try configuration.task.map { text -> LearningTask in
            guard let task = LearningTask(rawValue: text) else { throw ValidationError("--task must be classification or regression, not `\(text)`") }
            return task
        }
        let reading = try DataReading(configuration)
        let keepsShape = ModelInput.keepsSampleShape(configuration.model)
        let loaded = try DataSource.load(configuration.data, target: configuration.target, task: task, classNames: nil, reading: reading,
                                         labels: reading.labels, seed: configuration.seed, keepsSampleShape: keepsShape, as: Scalar.self)
        var warnings = loaded.warnings
        func loadOther(_ file: String, labels: String?, option: String, seed: UInt64) throws -> TensorDataset<Scalar> {
            let other = try DataSource.load(file, target: configuration.target ?? loaded.target, task: loaded.task, classNames: loaded.classNames,
                                            reading: reading, labels: labels, encoder: loaded.encoder, fillValues: loaded.fillValues,
                                            seed: seed, keepsSampleShape: keepsShape, as: Scalar.self)
            warnings += other.warnings.map { "\(option): \($0)" }
            return other.dataset
        }
        var train = loaded.dataset
        var validation: TensorDataset<Scalar>?
        if let file = configuration.validation {
            validation = try loadOther(file, labels: configuration.validationLabels, option: "--validation", seed: configuration.seed &+ 1)
        } else if configuration.resolvedValidationSplit > 0 {
            guard configuration.resolvedValidationSplit < 1 else { throw ValidationError("--validation-split must be in [0, 1), not \(configuration.resolvedValidationSplit)") }
            let split = try wrapDataErrors {
                try DataSplit.trainValidationTest(count: train.count, validationFraction: configuration.resolvedValidationSplit,
                                                  seed: configuration.seed, stratifiedBy: train.targets.classes)
            }
            validation = try wrapDataErrors { try train.subset(split.validation) }
            train = try wrapDataErrors { try train.subset(split.train) }
        }
        let test = try configuration.test.map { try loadOther($0, labels: configuration.testLabels, option: "--test", seed: configuration.seed &+ 2) }
        for (option, other) in [("--validation", configuration.validation.flatMap { _ in validation }), ("--test", test)] {
            if let other, other.featureShape != train.featureShape {
                throw ValidationError("\(option): each sample has shape \(other.featureShape.map(String.init).joined(separator: "x")), "
                                      + "but the training data's have \(train.featureShape.map(String.init).joined(separator: "x")); give files of the same features")
            }
        }
        var prepared = PreparedData(train: train, validation: validation, test: test, task: loaded.task, target: loaded.target,
                                    classNames: loaded.classNames, standardizer: nil, targetStandardizer: nil, reading: reading,
                                    encoder: loaded.encoder, fillValues: loaded.fillValues, warnings: warnings)
        if configuration.standardize {
            let standardizer = try wrapDataErrors { try Standardizer.fit(prepared.train.features) }
            prepared.standardizer = standardizer
            prepared.train = try prepared.apply(standardizer, to: prepared.train)
            prepared.validation = try prepared.validation.map { try prepared.apply(standardizer, to: $0) }
            prepared.test = try prepared.test.map { try prepared.apply(standardizer, to: $0) }
        }
        if configuration.standardizeTarget, prepared.task == .regression, let values = prepared.train.targets.values {
            let standardizer = try wrapDataErrors { try Standardizer.fit(values.rank == 1 ? values.reshaped(to: [values.shape[0], 1]) : values) }
            prepared.targetStandardizer = standardizer
            prepared.train = try standardizingTargets(prepared.train, standardizer)
            prepared.validation = try prepared.validation.map { try standardizingTargets($0, standardizer) }
            prepared.test = try prepared.test.map { try standardizingTargets($0, standardizer) }
        }
        return prepared
    }

    func apply(_ standardizer: Standardizer, to dataset: TensorDataset<Scalar>) throws -> TensorDataset<Scalar> {
        try wrapDataErrors { try dataset.replacingFeatures(standardizer.transform(dataset.features)) }
    }

    /// Model inputs: the product of the feature shape.
    var inputCount: Int { train.featureShape.reduce(1, *) }
}

/// `dataset` with its real-valued targets standardised by `standardizer` (fitted on `[n, k]` targets).
func standardizingTargets<Scalar: TensorScalar>(_ dataset: TensorDataset<Scalar>, _ standardizer: Standardizer) throws -> TensorDataset<Scalar> {
    guard let values = dataset.targets.values else { return dataset }
    let matrix = values.rank == 1 ? try wrapDataErrors { try values.reshaped(to: [values.shape[0], 1]) } : values
    var scaled = try wrapDataErrors { try standardizer.transform(matrix) }
    if values.rank == 1 { scaled = try wrapDataErrors { try scaled.reshaped(to: values.shape) } }
    return try wrapDataErrors {
        try TensorDataset(features: dataset.features, targets: .values(scaled), featureNames: dataset.featureNames,
                          classNames: dataset.classNames, classCount: dataset.classCount)
    }
}

/// The metric in the target's own units when the model was trained on a standardised target.
func inTargetUnits<Base: Metric>(_ metric: Base, _ standardizer: Standardizer?) -> any Metric {
    guard let standardizer else { return metric }
    return RescaledMetric(metric, scale: standardizer.standardDeviation.map { $0 == 0 ? 1 : $0 }, shift: standardizer.mean)
}

/// Runs `body`, turning data errors (which name the file, line and column) into validation errors.
func wrapDataErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as DataError {
        throw ValidationError(error.description)
    } catch let error as SpecError {
        throw ValidationError(error.message)
    }
}
