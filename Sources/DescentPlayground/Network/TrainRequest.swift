import Descent
import Foundation

/// The settings of a network run, from the body of `POST /api/train` (or `POST /api/lr-find`):
/// `descent train`'s configuration keys that make sense without files, and three of the
/// playground's own (``stepsPerSecond``, ``measureEvery``, ``gridSize``).
///
/// Every value is checked here, before anything is allocated: a wrong name, kind or range is a
/// ``RequestError`` with the message `descent train` prints for it, and the sizes that decide
/// memory and time (samples, widths, steps) are held to ``Limits``.
public struct TrainRequest: Sendable {
    /// Where the training data comes from.
    public enum DataChoice: Sendable, Equatable {
        /// A built-in dataset spec, such as `moons(count: 300, noise: 0.2)` (without `builtin:`).
        case builtin(String)
        /// A CSV uploaded with `POST /api/upload`, by the id the upload answered.
        case upload(String)
    }

    /// The most a request may ask for; larger values are answered with 400.
    public enum Limits {
        /// Samples in a built-in dataset.
        public static let samples = 5_000
        /// Hidden layers of an `mlp`.
        public static let hiddenLayers = 8
        /// Units in one hidden layer.
        public static let width = 256
        /// Optimizer steps in one run (epochs × batches per epoch).
        public static let steps = 50_000
        /// Cells along each side of the decision-region grid.
        public static let gridSize = 100
    }

    /// The keys `POST /api/train` accepts.
    public static let keys = ["data", "target", "validationSplit", "model", "loss", "optimizer", "schedule", "scheduleUnit", "batchSize",
                              "epochs", "seed", "precision", "standardize", "clipGradNorm", "stepsPerSecond", "measureEvery", "gridSize"]

    /// `descent train` keys that name files or folders: a request never makes the server read
    /// or write a path, so these are refused with a message saying what to use instead.
    static let fileKeys = ["validation", "test", "labels", "validationLabels", "testLabels", "output", "resume", "config",
                           "checkpointEvery", "keepCheckpoints"]

    /// The training data.
    public var data: DataChoice
    /// The target column of an uploaded CSV (a name, or a position such as `-1`); `nil` for the last column.
    public var target: String?
    /// The share of the data held out for validation (stratified by class), in [0, 1). The default value is `0`.
    public var validationSplit: Double = 0
    /// The model spec; `mlp(…, activation: none)` stacks linear layers. The default value is `"mlp(64)"`.
    public var model = "mlp(64)"
    /// The loss spec; `nil` for `cross-entropy`.
    public var loss: String?
    /// The optimizer spec. The default value is `"adam"`.
    public var optimizer = "adam"
    /// The learning-rate schedule spec, or `nil` for a constant rate.
    public var schedule: String?
    /// Whether the schedule advances per step or per epoch. The default value is `.step`.
    public var scheduleUnit = LearningRateScheduler.Unit.step
    /// Samples per batch, from 1 to the whole training set. The default value is `32`.
    public var batchSize = BatchSize.samples(32)
    /// Epochs. The default value is `20`.
    public var epochs = 20
    /// The seed of the data, the split, the initial weights and the batch order. The default value is `0`.
    public var seed: UInt64 = 0
    /// Whether the run uses `Double` (else `Float`, the default).
    public var usesDouble = false
    /// Standardise the features (fitted on the training split). The default value is `true`.
    public var standardize = true
    /// The gradient-norm bound, if any.
    public var clipGradNorm: Double?
    /// At most this many optimizer steps per second, so a run can be watched; `nil` runs at full speed.
    public var stepsPerSecond: Double?
    /// Steps between two measurements (full loss, accuracies, decision regions); `nil` spreads
    /// about 200 measurements over the run, and every epoch's end is measured too.
    public var measureEvery: Int?
    /// Cells along each side of the decision-region grid. The default value is `40`.
    public var gridSize = 40

    /// Reads and checks a request object.
    /// - Throws: ``RequestError`` with `descent train`'s message for a bad value.
    init(_ object: RequestObject) throws {
        guard let dataText = try object.string("data") else {
            throw RequestError("give the training data as `data`: builtin:NAME (for example builtin:spirals) or upload:ID (the id POST /api/upload answers)")
        }
        data = try Self.dataChoice(dataText)
        target = try object.string("target")
        if let split = try object.number("validationSplit") {
            guard split >= 0 && split < 1 else { throw RequestError("--validation-split must be in [0, 1), not \(split)") }
            validationSplit = split
        }
        model = try object.string("model") ?? model
        loss = try object.string("loss")
        optimizer = try object.string("optimizer") ?? optimizer
        schedule = try object.string("schedule")
        if let unit = try object.string("scheduleUnit") {
            guard let value = LearningRateScheduler.Unit(rawValue: unit) else { throw RequestError("--schedule-unit must be step or epoch, not `\(unit)`") }
            scheduleUnit = value
        }
        if let text = try object.string("batchSize") {
            if text.lowercased() == "full" {
                batchSize = .fullBatch
            } else {
                guard let n = Int(text), n > 0 else { throw RequestError("--batch-size must be a positive whole number or `full`, not `\(text)`") }
                batchSize = .samples(n)
            }
        }
        if let value = try object.integer("epochs") {
            guard value >= 1 else { throw RequestError("--epochs must be at least 1") }
            epochs = value
        }
        if let value = try object.integer("seed") {
            guard value >= 0 else { throw RequestError("--seed must be 0 or more, not \(value)") }
            seed = UInt64(value)
        }
        if let precision = try object.string("precision") {
            guard ["float", "double"].contains(precision) else { throw RequestError("--precision must be float or double, not `\(precision)`") }
            usesDouble = precision == "double"
        }
        standardize = try object.boolean("standardize") ?? standardize
        if let norm = try object.number("clipGradNorm") {
            guard norm > 0 else { throw RequestError("--clip-grad-norm must be > 0, not \(norm)") }
            clipGradNorm = norm
        }
        if let rate = try object.number("stepsPerSecond") {
            guard rate > 0 else { throw RequestError("stepsPerSecond must be > 0 (leave it out to run at full speed), not \(rate)") }
            stepsPerSecond = rate
        }
        if let every = try object.integer("measureEvery") {
            guard every >= 1 else { throw RequestError("measureEvery must be at least 1 step, not \(every)") }
            measureEvery = every
        }
        if let size = try object.integer("gridSize") {
            guard size >= 2 && size <= Limits.gridSize else { throw RequestError("gridSize must be from 2 to \(Limits.gridSize), not \(size)") }
            gridSize = size
        }
    }

    /// Reads a request body.
    /// - Parameter extraKeys: keys the endpoint reads itself (the LR finder's range).
    /// - Throws: ``RequestError`` for malformed JSON, an unknown or file key, or a bad value.
    public init(json data: Data, extraKeys: [String] = []) throws {
        try self.init(try Self.object(json: data, extraKeys: extraKeys))
    }

    /// The checked object of a body, refusing file keys with a message that says why.
    static func object(json data: Data, extraKeys: [String]) throws -> RequestObject {
        let all = keys + extraKeys
        do {
            return try RequestObject(parsing: data, validKeys: all + fileKeys).refusing(fileKeys) { key in
                "`\(key)` names a file or folder, and the playground never reads or writes a path from a request; "
                    + (key.lowercased().contains("validation") ? "use validationSplit, or " : "") + "upload a CSV with POST /api/upload"
            }
        }
    }

    /// The data source `text` names: `builtin:NAME(…)` or `upload:ID`; a path is refused.
    static func dataChoice(_ text: String) throws -> DataChoice {
        if text.hasPrefix("upload:") { return .upload(String(text.dropFirst("upload:".count))) }
        let spec = text.hasPrefix("builtin:") ? String(text.dropFirst("builtin:".count)) : text
        let name = spec.prefix { $0 != "(" }.trimmingCharacters(in: .whitespaces)
        guard BuiltinDataset.names.contains(name) else {
            if text.hasPrefix("builtin:") {
                throw RequestError("builtin:\(name): unknown built-in dataset; the built-in datasets are \(BuiltinDataset.names.joined(separator: ", "))")
            }
            throw RequestError("`\(text)` is not a built-in dataset, and the playground never reads a path from a request: "
                               + "use builtin:NAME (\(PlaygroundDatasets.classificationDatasets.joined(separator: ", "))) or upload:ID from POST /api/upload")
        }
        return .builtin(spec)
    }
}

extension RequestObject {
    /// This object, or an error made by `message` for the first of `keys` it holds.
    func refusing(_ keys: [String], message: (String) -> String) throws -> RequestObject {
        if let key = keys.first(where: contains) { throw RequestError(message(key)) }
        return self
    }
}
