import DescentCore
import DescentNN
import Foundation

/// A folder of checkpoint files: `checkpoint-STEP.ckpt` written periodically (the newest `keep`
/// are kept) and `best.ckpt` at the best monitored value.
public struct CheckpointStore: Sendable {
    /// The folder.
    public let directory: URL
    /// How many periodic checkpoints to keep (at least 2, so a damaged newest one has a fallback).
    public var keep: Int

    /// A store in `directory` (created when the first checkpoint is written).
    /// - Parameters:
    ///   - keep: periodic checkpoints kept. The default value is `3`.
    ///   - directory: the folder of the checkpoints.
    public init(directory: URL, keep: Int = 3) {
        self.directory = directory
        self.keep = Swift.max(keep, 1)
    }

    /// The file name of the periodic checkpoint after optimizer step `step`.
    public static func fileName(step: Int) -> String { "checkpoint-" + String(format: "%09d", step) + ".ckpt" }

    /// The best checkpoint's file.
    public var bestFile: URL { directory.appendingPathComponent("best.ckpt") }

    /// Writes a periodic checkpoint atomically and removes all but the newest `keep`.
    @discardableResult
    public func save(_ data: Data, step: Int) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(Self.fileName(step: step))
        try AtomicFile.write(data, to: url)
        for old in checkpointFiles().dropFirst(keep) { try? FileManager.default.removeItem(at: old) }
        AtomicFile.syncDirectory(directory)
        return url
    }

    /// Writes the best checkpoint atomically.
    @discardableResult
    public func saveBest(_ data: Data) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try AtomicFile.write(data, to: bestFile)
        return bestFile
    }

    /// The periodic checkpoint files, newest (highest step) first.
    public func checkpointFiles() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("checkpoint-") && $0.hasSuffix(".ckpt") }.sorted(by: >)
            .map { directory.appendingPathComponent($0) }
    }

    /// The newest periodic checkpoint that reads and verifies, with a message for each newer one
    /// that did not (and was skipped); `nil` if there is none.
    public func latest<Scalar: TensorScalar>(as _: Scalar.Type = Scalar.self) -> (checkpoint: TrainingCheckpoint<Scalar>, url: URL, problems: [String])? {
        var problems: [String] = []
        for url in checkpointFiles() {
            do {
                return (try TrainingCheckpoint<Scalar>(contentsOf: url), url, problems)
            } catch {
                problems.append("skipping \(url.lastPathComponent): \(error)")
            }
        }
        return nil
    }

    /// Messages for every periodic checkpoint that does not read (empty when all are good).
    public func problems<Scalar: TensorScalar>(as _: Scalar.Type) -> [String] {
        latest(as: Scalar.self)?.problems ?? checkpointFiles().map { "unreadable: \($0.lastPathComponent)" }
    }
}

/// When a ``Trainer`` writes checkpoints, and where.
///
/// A checkpoint is written when any of the schedules given is due, and always when `fit` ends
/// (completed, early stopping, the time limit, a stop request such as Ctrl-C; not after a
/// divergence, whose state is not worth resuming): resuming continues exactly from there.
/// Without any schedule the default is every ``defaultSeconds`` seconds of training, so the
/// cost of writing stays a small share of the run whatever the size of an epoch:
///
///     everySeconds: 60      a checkpoint when 60 s of training have passed since the last
///                           one (checked after every step), and at the end
///     everyEpochs: 2        after every second epoch, and at the end
///     everySteps: 500       every 500 steps within an epoch, after every epoch, and at the end
///
/// The best value of `bestMonitor` is kept in memory when it improves (a snapshot of the run
/// at that epoch) and written to `best.ckpt` with the next checkpoint, not at every improvement.
/// Writes happen off the training thread (see `writesInBackground`); the snapshot itself is
/// taken on it, at the same point as a synchronous write would, so the files and a resume from
/// them are the same. Keras: `ModelCheckpoint(save_freq=…)`; PyTorch Lightning:
/// `ModelCheckpoint(train_time_interval=…, every_n_epochs=…, every_n_train_steps=…)`.
public struct CheckpointPolicy: Sendable {
    /// The schedule used when none is given: every 60 seconds of training.
    public static let defaultSeconds = 60.0

    /// Where.
    public var store: CheckpointStore
    /// At most this often, in seconds of training (time spent checkpointing not counted); `0`
    /// writes after every step. The default value is ``defaultSeconds`` when no schedule is given,
    /// else `nil`.
    public var everySeconds: Double?
    /// Every this many epochs (and always after the last epoch). The default value is `nil`.
    public var everyEpochs: Int?
    /// Every this many optimizer steps, so a run can resume mid-epoch; also after every epoch.
    /// The default value is `nil`.
    public var everySteps: Int?
    /// The value whose best epoch is kept in `best.ckpt` (`validation.loss`); `nil` for none.
    public var bestMonitor: String?
    /// Whether checkpoints are encoded and written on a background queue while training goes on
    /// (one write in flight; `fit` waits for the last before it returns). `false` writes on the
    /// training thread. The default value is `true`.
    public var writesInBackground: Bool
    /// Runs on the writing thread before each write, with the step of the checkpoint written
    /// (tests use it to prove the write overlaps training). The default value is `nil`.
    var beforeWrite: (@Sendable (_ step: Int) -> Void)?

    /// A policy.
    /// - Parameters:
    ///   - store: the folder and how many to keep.
    ///   - everySeconds: The default value is `nil`: ``defaultSeconds`` if `everyEpochs` and
    ///     `everySteps` are `nil` too.
    ///   - everyEpochs: The default value is `nil`.
    ///   - everySteps: The default value is `nil`.
    ///   - bestMonitor: The default value is `nil`.
    ///   - writesInBackground: The default value is `true`.
    public init(store: CheckpointStore, everySeconds: Double? = nil, everyEpochs: Int? = nil, everySteps: Int? = nil,
                bestMonitor: String? = nil, writesInBackground: Bool = true) {
        self.store = store
        self.everySeconds = everySeconds ?? (everyEpochs == nil && everySteps == nil ? Self.defaultSeconds : nil)
        self.everyEpochs = everyEpochs
        self.everySteps = everySteps
        self.bestMonitor = bestMonitor
        self.writesInBackground = writesInBackground
    }
}

extension Trainer {
    /// The run's complete state as a checkpoint (see ``TrainingCheckpoint``): copies of the
    /// tensors and the state, which later training does not change.
    public func makeCheckpoint() -> TrainingCheckpoint<Scalar> {
        var trainer = state
        trainer.scheduler = scheduler?.state
        return TrainingCheckpoint(model: model.stateArchive(), bestWeights: bestWeights, optimizer: optimizer.stateSnapshot(),
                                  trainer: trainer, generators: dropoutGenerators(), configuration: configuration)
    }

    /// Puts the model, optimizer, schedule, dropout generators and trainer state back as they were
    /// when `checkpoint` was made; the next ``fit(epochs:training:validation:trainingEvaluation:)``
    /// continues from there.
    /// - Throws: `StateMismatchError` if the model differs, `OptimizerError` if the optimizer or
    ///   schedule differs, ``CheckpointError`` if a dropout layer is missing.
    public func restore(from checkpoint: TrainingCheckpoint<Scalar>) throws {
        try checkpoint.trainer.validate()
        try model.loadState(from: checkpoint.model)
        try optimizer.restore(checkpoint.optimizer)
        if let saved = checkpoint.trainer.scheduler {
            guard var s = scheduler else { throw CheckpointError("the checkpoint has a learning-rate schedule but this trainer has none; use the same --schedule") }
            try s.restore(saved)
            scheduler = s
        } else if scheduler != nil {
            throw CheckpointError("this trainer has a learning-rate schedule but the checkpoint has none; use the same --schedule")
        }
        let layers = dropoutLayers()
        for (name, generator) in checkpoint.generators {
            guard let layer = layers[name] else { throw CheckpointError("the checkpoint has a dropout layer `\(name)` that the model lacks") }
            layer.generator = generator
        }
        state = checkpoint.trainer
        earlyStopping = state.earlyStopping
        divergence = state.divergence
        bestWeights = checkpoint.bestWeights
    }

    func dropoutLayers() -> [String: Dropout<Scalar>] {
        var result: [String: Dropout<Scalar>] = [:]
        if let layer = model as? Dropout<Scalar> { result[""] = layer }
        for (name, layer) in model.namedSublayers() { if let dropout = layer as? Dropout<Scalar> { result[name] = dropout } }
        return result
    }

    func dropoutGenerators() -> [String: RandomGenerator] { dropoutLayers().mapValues(\.generator) }
}
