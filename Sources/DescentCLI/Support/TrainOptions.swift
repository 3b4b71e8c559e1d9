import ArgumentParser
import Descent
import Foundation

/// The data and model options shared by `descent train`, `descent lr-find` and `descent compare`.
/// Every option is optional here so that a `--config` file can fill what the command line leaves
/// out; the defaults are applied by ``TrainConfiguration``, or by the command where `Defaults`
/// says its own differ, and the help states whichever applies.
struct TrainOptions<Defaults: TrainingDefaults>: ParsableArguments {
    @Option(help: "Training data: a CSV file, IDX images or a .npy array (with --labels), or builtin:NAME (\(BuiltinDataset.names.joined(separator: ", "))), e.g. builtin:spirals.\(Defaults.statement("data", otherwise: nil))")
    var data: String?

    @OptionGroup var targetColumn: TargetColumnOption

    @OptionGroup var reading: DataReadingOptions

    @Option(help: "classification or regression. Default: inferred from the target (text, or whole numbers with at most 20 distinct values, means classification).")
    var task: String?

    @Option(help: "The share of the training data held out for validation (stratified for classes), e.g. 0.2.\(Defaults.statement("validationSplit", otherwise: "0 (all data trains, as in PyTorch and Keras), or 0.2 when --early-stopping watches a validation value"))")
    var validationSplit: Double?

    @Option(help: "A separate validation file (instead of --validation-split).")
    var validation: String?

    @Option(help: "The labels of IDX or .npy validation data.")
    var validationLabels: String?


    @Option(help: "The model spec: linear, logistic, softmax, mlp(64), mlp(64, 32, activation: tanh, dropout: 0.2).\(Defaults.statement("model", otherwise: TrainConfiguration.standard.model))")
    var model: String?

    @Option(help: "The loss spec (mse, l1, huber, cross-entropy, bce-with-logits, …). Default: cross-entropy for classification, mse for regression.")
    var loss: String?

    @Option(help: "The optimizer spec, e.g. sgd(lr: 0.1, momentum: 0.9) or adam(lr: 0.001).\(Defaults.statement("optimizer", otherwise: TrainConfiguration.standard.optimizer))")
    var optimizer: String?

    @Option(help: "A learning-rate schedule spec, e.g. cosine(tMax: 1000) or one-cycle(maxLearningRate: 0.01, totalSteps: 600).")
    var schedule: String?

    @Option(help: "Whether the schedule advances per optimizer step or per epoch: step or epoch. Default: \(TrainConfiguration.standard.scheduleUnit) (plateau: epoch).")
    var scheduleUnit: String?

    @Option(help: "Samples per batch, or `full` for batch gradient descent (a batch larger than the training rows is the full batch). Default: \(TrainConfiguration.standard.batchSize).")
    var batchSize: String?

    @Option(help: "Epochs (passes over the training data).\(Defaults.statement("epochs", otherwise: "\(TrainConfiguration.standard.epochs)"))")
    var epochs: Int?

    @Option(help: "Clip the gradients' global L2 norm to this value before each step.")
    var clipGradNorm: Double?

    @Option(help: "The random seed (data split, initial weights, shuffling, dropout). Default: \(TrainConfiguration.standard.seed).")
    var seed: UInt64?

    @Option(help: "The element type: float or double. Default: \(TrainConfiguration.standard.precision).")
    var precision: String?

    @Flag(inversion: .prefixedNo, help: "Standardise the features with the training split's mean and standard deviation. Default: on.")
    var standardize: Bool?

    @Flag(inversion: .prefixedNo, help: "Standardise a regression target with the training split's mean and standard deviation (predictions and metrics stay in the target's units). Default: on.")
    var standardizeTarget: Bool?

    @Option(help: "The rows the per-epoch training loss is measured on: sample (every row up to 1,000, else a fixed, seeded fifth) or exact. Default: sample.")
    var fullLoss: String?

    @Option(help: "Augment training images: shift each by up to this many pixels (zero fill) in every batch, seeded by --seed (torchvision RandomCrop with padding). Default: 0 (off).")
    var augmentShift: Int?

    @Flag(help: "Augment training images: mirror each left-right with probability 1/2 in every batch, seeded by --seed (torchvision RandomHorizontalFlip).")
    var augmentFlip = false

    @Flag(help: "Read the data from disk a chunk at a time instead of loading it (automatic when it would not fit --memory-limit).")
    var stream = false

    @Option(help: "The memory the process may use, e.g. 256MB or 2GiB; larger data is streamed. Default: half the machine's memory.")
    var memoryLimit: String?

    @Option(help: "A JSON file with the same keys as these options (camelCase or kebab-case); options given on the command line win.")
    var config: String?

    /// The options given on the command line, by configuration key.
    var values: [String: Any] {
        var values: [String: Any] = [:]
        values["data"] = data; values["target"] = targetColumn.target; values["task"] = task
        values["validationSplit"] = validationSplit; values["validation"] = validation
        values["model"] = model; values["loss"] = loss; values["optimizer"] = optimizer; values["schedule"] = schedule
        values["scheduleUnit"] = scheduleUnit; values["batchSize"] = batchSize; values["epochs"] = epochs
        values["clipGradNorm"] = clipGradNorm; values["seed"] = seed.map { NSNumber(value: $0) }
        values["precision"] = precision; values["standardize"] = standardize; values["standardizeTarget"] = standardizeTarget
        values["validationLabels"] = validationLabels
        if stream { values["stream"] = true }
        values["augmentShift"] = augmentShift
        if augmentFlip { values["augmentFlip"] = true }
        values["memoryLimit"] = memoryLimit; values["fullLoss"] = fullLoss
        return values.merging(reading.values) { a, _ in a }
    }

    /// The configuration: these options over the `--config` file over `saved` (a resumed run's) over the defaults.
    func configuration(extra: [String: Any] = [:], saved: [String: Any]? = nil) throws -> TrainConfiguration {
        var layers: [(source: String, values: [String: Any])] = []
        if let saved { layers.append(("the saved config.json", saved)) }
        if let config { layers.append((config, try TrainConfiguration.readFile(config))) }
        layers.append(("the command line", values.merging(extra) { a, _ in a }))
        let configuration = try TrainConfiguration.resolve(layers: layers)
        guard ["float", "double"].contains(configuration.precision) else {
            throw ValidationError("--precision must be float or double, not `\(configuration.precision)`")
        }
        guard configuration.epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        try configuration.validateValues()
        return configuration
    }
}

/// The options of a full training run that `descent lr-find` (a sweep of short steps) has no use
/// for: a test file evaluated after training, and early stopping. Shared by `descent train` and
/// `descent compare`; passed to ``TrainOptions/configuration(extra:saved:)`` as `extra`.
struct TrainOnlyOptions: ParsableArguments {
    @Option(help: "A test file, evaluated once after training.")
    var test: String?

    @Option(help: "The labels of IDX or .npy test data.")
    var testLabels: String?

    @Option(help: "Early stopping, e.g. early-stopping(monitor: validation.loss, patience: 5, minDelta: 0, restoreBestWeights: true).")
    var earlyStopping: String?

    /// The options given, by configuration key.
    var values: [String: Any] {
        var values: [String: Any] = [:]
        values["test"] = test; values["testLabels"] = testLabels; values["earlyStopping"] = earlyStopping
        return values
    }
}

/// The defaults a command gives the training options where they differ from `descent train`'s
/// (``TrainConfiguration``'s), as its help states them.
protocol TrainingDefaults {
    /// How the help states the default of each option whose default differs from
    /// ``TrainConfiguration``'s, by configuration key.
    static var statedDefaults: [String: String] { get }
}

extension TrainingDefaults {
    /// " Default: ….", to end the help of the option with configuration key `key`: this command's
    /// default, else `standard` (``TrainConfiguration``'s); empty when neither is given.
    static func statement(_ key: String, otherwise standard: String?) -> String {
        (statedDefaults[key] ?? standard).map { " Default: \($0)." } ?? ""
    }
}

/// The defaults of `descent train` and `descent lr-find`: ``TrainConfiguration``'s own.
enum TrainDefaults: TrainingDefaults {
    static let statedDefaults: [String: String] = [:]
}
