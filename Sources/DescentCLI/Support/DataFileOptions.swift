import ArgumentParser
import Descent
import Foundation

/// `--target`, the target column of a CSV file, for the commands that read data with targets
/// in it: the training options and the `descent data` subcommands.
struct TargetColumnOption: ParsableArguments {
    // `.unconditional`: the value may start with a dash, so `--target -1` (the help's own example)
    // reads the last column instead of failing as a missing value.
    @Option(parsing: .unconditional, help: "The target column of a CSV file: a name or a 0-based position (-1 = last). Default: the last column.")
    var target: String?

    /// `--target` as a column selector; `nil` (the last column) when it is not given.
    var column: ColumnSelector? { target.map(ColumnSelector.init(parsing:)) }
}

/// Where the targets of a data file are, for the `descent data` subcommands: the target column
/// of a CSV file, or the label file that goes with IDX images.
struct DataFileOptions: ParsableArguments {
    @OptionGroup var targetColumn: TargetColumnOption

    @Option(help: "For IDX images: the matching IDX label file.")
    var labels: String?

    /// `--target` as a column selector; `nil` (the last column) when it is not given.
    var target: ColumnSelector? { targetColumn.column }
}

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
