import ArgumentParser
import Descent
import Foundation

/// The output folder of `descent train`: `model.safetensors`, `preprocessing.json`,
/// `config.json`, `history.json`, `history-epochs.csv`, `history-steps.csv`, `checkpoints/`.
enum ModelFolder {
    static let modelFile = "model.safetensors"
    static let preprocessingFile = "preprocessing.json"
    static let configFile = "config.json"
    static let checkpointFolder = "checkpoints"

    /// Writes the trained model and what is needed to use it.
    static func write<Scalar: TensorScalar>(model: Sequential<Scalar>, preprocessing: Preprocessing, configuration: TrainConfiguration,
                                            history: TrainingHistory, to directory: URL, includeModel: Bool) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if includeModel {
            let archive = model.stateArchive(metadata: ["descent.model": preprocessing.model, "descent.task": preprocessing.task.rawValue])
            try AtomicFile.write(archive.encoded(), to: directory.appendingPathComponent(modelFile))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(preprocessing), to: directory.appendingPathComponent(preprocessingFile))
        try AtomicFile.write(Data(configuration.jsonText().utf8), to: directory.appendingPathComponent(configFile))
        try history.write(to: directory)
    }

    /// Writes `config.json` (atomically), creating the folder.
    /// - Throws: `ValidationError` naming the folder when it cannot be created or written.
    static func writeConfiguration(_ configuration: TrainConfiguration, to directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try AtomicFile.write(Data(configuration.jsonText().utf8), to: directory.appendingPathComponent(configFile))
        } catch let error as ValidationError { throw error } catch {
            throw ValidationError("cannot write \(directory.appendingPathComponent(configFile).path): \(error)")
        }
    }

    /// The saved configuration of a folder, as key-value pairs, if there is one.
    static func savedConfiguration(in directory: URL) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(configFile).path) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// Reads `preprocessing.json`.
    static func preprocessing(in directory: URL) throws -> Preprocessing {
        let url = directory.appendingPathComponent(preprocessingFile)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ValidationError("\(directory.path) has no \(preprocessingFile); give the --output folder of `descent train`")
        }
        let preprocessing: Preprocessing
        do { preprocessing = try JSONDecoder().decode(Preprocessing.self, from: data) } catch {
            throw ValidationError("cannot read \(url.path): \(error)")
        }
        do { try preprocessing.validate() } catch let error as ValidationError {
            throw ValidationError("\(url.path): \(error.message); the file was edited or damaged: train again to rewrite it")
        }
        return preprocessing
    }

    /// Rebuilds the model and loads its trained weights.
    static func model<Scalar: TensorScalar>(in directory: URL, preprocessing: Preprocessing, as _: Scalar.Type) throws -> Sequential<Scalar> {
        let spec = try specError { try ModelSpec(parsing: preprocessing.model) }
        // Sizes from an edited preprocessing.json are untrusted: checked before allocating.
        do {
            try spec.checkFits(inputShape: preprocessing.inputShape ?? [preprocessing.inputs], outputs: preprocessing.outputs, bytesPerScalar: MemoryLayout<Scalar>.stride,
                               memoryLimit: defaultMemoryLimit())
        } catch let error as SpecError {
            throw ValidationError("\(directory.appendingPathComponent(preprocessingFile).path): \(error.message)")
        }
        var generator = RandomGenerator(seed: 0)
        let model: Sequential<Scalar> = try specError {
            try spec.makeModel(inputShape: preprocessing.inputShape ?? [preprocessing.inputs], outputs: preprocessing.outputs, generator: &generator)
        }
        let url = directory.appendingPathComponent(modelFile)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ValidationError("\(directory.path) has no \(modelFile) (did the training run diverge or stop before writing it?)")
        }
        do { try model.loadState(from: url) } catch { throw ValidationError("cannot load \(url.path): \(error)") }
        return model
    }

    /// Loads data to evaluate or predict on, treated as the training data was: read with the same
    /// settings, the same feature columns in the same order, class labels numbered as in
    /// training, the same one-hot encoding, fill values and standardisation (of the features, and
    /// of a regression target). With `requireTargets: false` the target column (or label file)
    /// may be missing.
    static func data<Scalar: TensorScalar>(_ source: String, target: String?, labels: String?, preprocessing: Preprocessing,
                                           requireTargets: Bool, as _: Scalar.Type) throws -> TensorDataset<Scalar> {
        let reading = preprocessing.reading ?? DataReading.beforeIssue15
        var dataset: TensorDataset<Scalar>
        var isCSV = false
        if !BuiltinDataset.isBuiltin(source) && FileManager.default.fileExists(atPath: source) {
            isCSV = try wrapDataErrors { try DataFileFormat.detect(path: source) } == .csv
        }
        if requireTargets || !isCSV && (BuiltinDataset.isBuiltin(source) || labels != nil) {
            dataset = try DataSource.load(source, target: target ?? preprocessing.target, task: preprocessing.task,
                                          classNames: preprocessing.classNames, reading: reading, labels: labels,
                                          encoder: preprocessing.encoder, fillValues: preprocessing.fillValues, seed: 0,
                                          keepsSampleShape: preprocessing.inputShape != nil, as: Scalar.self).dataset
        } else if isCSV {
            let encoded = Set(preprocessing.encoder?.outputNames ?? [])
            let features = preprocessing.featureNames?.filter { !encoded.contains($0) }.map { ColumnSelector.name($0) }
            let options = reading.csvOptions(targets: [], features: features, targetKind: .regression, fillValues: preprocessing.fillValues)
            let table: CSVTable<Scalar> = try wrapDataErrors { try CSVLoader.load(source, options: options) }
            dataset = try wrapDataErrors { try table.dataset(encoder: preprocessing.encoder) }
        } else {
            guard FileManager.default.fileExists(atPath: source) else { throw ValidationError("there is no file \(source)\(missingPathSuggestion(source))") }
            dataset = try wrapDataErrors { try ArrayDatasetLoader.load(features: source, flatten: false, as: Scalar.self) }
        }
        if let names = preprocessing.featureNames, let own = dataset.featureNames, own != names {
            throw ValidationError("\(source) has the feature columns \(own.joined(separator: ", ")); the model was trained on \(names.joined(separator: ", "))")
        }
        if let inputShape = preprocessing.inputShape {
            // A model that takes images: the samples in the shape it was trained on (rows of
            // pixels reshaped as in training, or the image file's own shape, which must match).
            var reading = reading
            reading.inputShape = reading.inputShape ?? inputShape
            if dataset.featureShape != inputShape {
                dataset = try DataSource.shaped(dataset, reading: reading, keepsSampleShape: true, source: source)
            }
            guard dataset.featureShape == inputShape else {
                throw ValidationError("\(source) has samples of shape \(dataset.featureShape.map(String.init).joined(separator: "x")); "
                                      + "the model takes \(inputShape.map(String.init).joined(separator: "x"))")
            }
        } else {
            dataset = try DataSource.flattened(dataset)
        }
        guard dataset.featureShape.reduce(1, *) == preprocessing.inputs else {
            throw ValidationError("\(source) has \(dataset.featureShape.reduce(1, *)) features; the model takes \(preprocessing.inputs)")
        }
        if let standardizer = preprocessing.standardizer {
            dataset = try wrapDataErrors { try dataset.replacingFeatures(standardizer.transform(dataset.features)) }
        }
        if let standardizer = preprocessing.targetStandardizer, requireTargets {
            dataset = try standardizingTargets(dataset, standardizer)
        }
        return dataset
    }

    /// The metrics reported for a task and loss.
    static func metrics(for preprocessing: Preprocessing, loss: any Loss) -> [any Metric] {
        switch preprocessing.task {
        case .classification: return [Accuracy(threshold: loss.targetKind == .binary ? 0 : 0.5)]
        case .regression: return [inTargetUnits(MeanSquaredError(), preprocessing.targetStandardizer)]
        }
    }
}

/// A JSON number, or `null` for NaN and infinities.
func jsonNumber(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }

/// `{"loss": …, "accuracy": …}` with `loss` first and the rest sorted.
func jsonObject(_ values: [String: Double]?) -> String {
    guard let values else { return "null" }
    let keys = (values["loss"] != nil ? ["loss"] : []) + values.keys.filter { $0 != "loss" }.sorted()
    return "{" + keys.map { "\"\($0)\": \(jsonNumber(values[$0]!))" }.joined(separator: ", ") + "}"
}

/// `loss 0.1234  accuracy 0.9750`.
func textValues(_ values: [String: Double]) -> String {
    let keys = (values["loss"] != nil ? ["loss"] : []) + values.keys.filter { $0 != "loss" }.sorted()
    return keys.map { "\($0) \(String(format: "%.4f", values[$0]!))" }.joined(separator: "  ")
}
