import ArgumentParser
import Descent
import Foundation

/// The trained model and the data to run it on: the inputs of `descent evaluate` and
/// `descent predict`.
struct TrainedModelOptions: ParsableArguments {
    @Option(help: "The folder written by `descent train --output`.")
    var model: String

    @Option(help: "The data: a CSV file with the feature columns the model was trained on, IDX images or a .npy array, or builtin:NAME.")
    var data: String

    @Option(help: "The labels of IDX images or .npy features: an IDX label file, a .npy array or a one-column CSV file.")
    var labels: String?

    /// What the model folder's `preprocessing.json` says.
    /// - Throws: `ValidationError` when the folder does not exist (naming a close folder beside it,
    ///   if there is one) or has no readable `preprocessing.json`.
    func preprocessing() throws -> Preprocessing {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory) else {
            throw ValidationError("--model: there is no folder `\(model)`\(missingPathSuggestion(model)); give the --output folder of `descent train`")
        }
        guard isDirectory.boolValue else {
            throw ValidationError("--model: `\(model)` is a file; give the folder `descent train --output` wrote (it holds model.safetensors and preprocessing.json)")
        }
        return try ModelFolder.preprocessing(in: URL(fileURLWithPath: model))
    }

    /// The trained network, and `--data` prepared as its training data was (see
    /// ``ModelFolder/data(_:target:labels:preprocessing:requireTargets:as:)``).
    /// - Throws: `ValidationError` when the weights or the data cannot be read, or the data's
    ///   columns do not fit the model.
    func load<Scalar: TensorScalar>(_ preprocessing: Preprocessing, target: String?, requireTargets: Bool,
                                    as _: Scalar.Type) throws -> (network: Sequential<Scalar>, dataset: TensorDataset<Scalar>) {
        let network = try ModelFolder.model(in: URL(fileURLWithPath: model), preprocessing: preprocessing, as: Scalar.self)
        let dataset = try ModelFolder.data(data, target: target, labels: labels, preprocessing: preprocessing, requireTargets: requireTargets, as: Scalar.self)
        return (network, dataset)
    }
}
