import Foundation

/// One optimizer step in the ``TrainingHistory``: the loss of the batch it was computed on and
/// the learning rate it used.
public struct StepRecord: Codable, Equatable, Sendable {
    /// The epoch, counted from 1.
    public var epoch: Int
    /// The optimizer step, counted from 1 over the whole run.
    public var step: Int
    /// The training loss of this step's batch (training mode, before the update).
    public var batchLoss: Double
    /// The learning rate this step used (the default parameter group's).
    public var learningRate: Double

    /// A record of one step.
    public init(epoch: Int, step: Int, batchLoss: Double, learningRate: Double) {
        self.epoch = epoch; self.step = step; self.batchLoss = batchLoss; self.learningRate = learningRate
    }
}

/// One epoch in the ``TrainingHistory``.
///
/// Two training losses are kept because they answer different questions: ``meanBatchLoss`` is the
/// average of the batch losses seen *while* the parameters were changing (what a progress bar
/// shows, cheap, noisy, and lagging behind the model), ``train``'s `loss` is the loss of the
/// parameters at the end of the epoch over the whole training set in evaluation mode (what
/// gradient descent actually minimises, comparable with the validation loss).
public struct EpochRecord: Codable, Equatable, Sendable {
    /// The epoch, counted from 1.
    public var epoch: Int
    /// Optimizer steps taken so far over the whole run.
    public var steps: Int
    /// The learning rate of the last step of the epoch.
    public var learningRate: Double
    /// The mean of this epoch's batch losses.
    public var meanBatchLoss: Double
    /// The full training loss (`loss`) and the metrics over the training set (all of it, or the
    /// fixed sample ``TrainingHistory/trainingLossSample`` describes), evaluation mode.
    public var train: [String: Double]
    /// The validation loss (`loss`) and metrics, when there is validation data.
    public var validation: [String: Double]?
    /// Wall-clock seconds the epoch took (training and evaluation).
    public var seconds: Double

    /// A record of one epoch.
    public init(epoch: Int, steps: Int, learningRate: Double, meanBatchLoss: Double, train: [String: Double],
                validation: [String: Double]?, seconds: Double) {
        self.epoch = epoch; self.steps = steps; self.learningRate = learningRate; self.meanBatchLoss = meanBatchLoss
        self.train = train; self.validation = validation; self.seconds = seconds
    }

    /// The value a monitor names: `train.loss`, `train.batchLoss`, `train.accuracy`,
    /// `validation.loss`, `validation.accuracy`, … (`nil` if this epoch has no such value).
    public func value(of monitor: String) -> Double? {
        let parts = monitor.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        switch parts[0] {
        case "train", "training":
            if parts[1] == "batchLoss" || parts[1] == "meanBatchLoss" { return meanBatchLoss }
            return train[parts[1]]
        case "validation", "val": return validation?[parts[1]]
        default: return nil
        }
    }
}

/// What happened during training: every step's batch loss and learning rate, and every epoch's
/// losses and metrics (Keras' `History`, fastai's `Recorder`).
///
/// Saved as JSON (``jsonData()``, the whole structure) and as two CSV tables (``stepsCSV()``,
/// ``epochsCSV()``) that a spreadsheet or pandas reads directly.
public struct TrainingHistory: Codable, Equatable, Sendable {
    /// One record per optimizer step.
    public var steps: [StepRecord] = []
    /// One record per completed epoch.
    public var epochs: [EpochRecord] = []
    /// What the epochs' training loss (``EpochRecord/train``) was measured on: how many of the
    /// training set's rows, and the seed of the sample. `nil` when the caller did not say (a
    /// history from before this field, or a `fit` given its own evaluation loader). The default
    /// value is `nil`.
    public var trainingLossSample: TrainingLossSample?

    /// An empty history.
    public init() {}

    /// The values of `monitor` (see ``EpochRecord/value(of:)``) per epoch, `nil` where absent.
    public func values(of monitor: String) -> [Double?] { epochs.map { $0.value(of: monitor) } }

    /// The history as pretty-printed JSON with sorted keys (`NaN` and infinities as strings).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    /// Reads a history written by ``jsonData()``.
    public init(jsonData: Data) throws {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        self = try decoder.decode(TrainingHistory.self, from: jsonData)
    }

    /// `epoch,step,batch_loss,learning_rate`, one line per step.
    public func stepsCSV() -> String {
        var lines = ["epoch,step,batch_loss,learning_rate"]
        for s in steps { lines.append("\(s.epoch),\(s.step),\(s.batchLoss),\(s.learningRate)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The column names of ``epochsCSV()``: `epoch, steps, learning_rate, train.batchLoss`, then
    /// `train.*` and `validation.*` (loss first, then the metrics in alphabetical order), `seconds`.
    public var epochColumns: [String] {
        func keys(_ dictionaries: [[String: Double]]) -> [String] {
            let all = Set(dictionaries.flatMap(\.keys))
            return (all.contains("loss") ? ["loss"] : []) + all.subtracting(["loss"]).sorted()
        }
        let train = keys(epochs.map(\.train)).map { "train.\($0)" }
        let validation = keys(epochs.compactMap(\.validation)).map { "validation.\($0)" }
        return ["epoch", "steps", "learning_rate", "train.batchLoss"] + train + validation + ["seconds"]
    }

    /// One line per epoch under ``epochColumns``; a value an epoch lacks is left empty.
    public func epochsCSV() -> String {
        let columns = epochColumns
        var lines = [columns.joined(separator: ",")]
        for e in epochs {
            let cells = columns.map { column -> String in
                switch column {
                case "epoch": return "\(e.epoch)"
                case "steps": return "\(e.steps)"
                case "learning_rate": return "\(e.learningRate)"
                case "seconds": return String(format: "%.3f", e.seconds)
                default: return e.value(of: column).map { "\($0)" } ?? ""
                }
            }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `history.json`, `history-epochs.csv` and `history-steps.csv` into `directory`.
    public func write(to directory: URL) throws {
        try AtomicFile.write(jsonData(), to: directory.appendingPathComponent("history.json"))
        try AtomicFile.write(Data(epochsCSV().utf8), to: directory.appendingPathComponent("history-epochs.csv"))
        try AtomicFile.write(Data(stepsCSV().utf8), to: directory.appendingPathComponent("history-steps.csv"))
    }
}
