import DescentCore

/// Early stopping as a policy: in `epochWillEnd`, right after each epoch's record, it gives the
/// monitored value to the ``EarlyStopping`` rule in ``TrainerState/earlyStopping`` (saved in
/// checkpoints). On a new best epoch it keeps the weights (for `restoreBestWeights`); when the
/// rule gives up it puts them back, marks the run finished (so resuming it returns at once) and
/// requests a stop, which takes effect after the epoch: `epochDidEnd` still runs and the last
/// checkpoint is written with the restored weights. Keras: `EarlyStopping`; fastai:
/// `EarlyStoppingCallback`.
final class EarlyStoppingCallback<Scalar: TensorScalar>: TrainingCallback {
    let trainer: Trainer<Scalar>

    /// The policy for `trainer`'s rule (``TrainerState/earlyStopping``).
    init(trainer: Trainer<Scalar>) { self.trainer = trainer }

    /// - Throws: ``TrainingError`` when the rule monitors a value the run does not compute.
    func epochWillEnd(_ run: TrainingRun) throws {
        guard var rule = trainer.state.earlyStopping, let record = run.progress.epochRecord else { return }
        guard let value = record.value(of: rule.monitor) else {
            throw TrainingError("early stopping monitors `\(rule.monitor)`, which this run does not compute; "
                                + "available: \(Self.monitorNames(record).joined(separator: ", "))"
                                + (rule.monitor.hasPrefix("validation") ? " (give validation data to monitor validation values)" : ""))
        }
        let decision = rule.record(value, epoch: record.epoch)
        trainer.state.earlyStopping = rule
        switch decision {
        case .improved:
            if rule.restoreBestWeights { trainer.bestWeights = trainer.model.stateArchive() }
        case .waiting:
            break
        case .stop:
            if rule.restoreBestWeights, let bestWeights = trainer.bestWeights { try trainer.model.loadState(from: bestWeights) }
            trainer.state.finished = .earlyStopping
            run.requestStop(.earlyStopping)
        }
    }

    /// The values an epoch record offers to a monitor, for the error message.
    static func monitorNames(_ record: EpochRecord) -> [String] {
        ["train.batchLoss"] + record.train.keys.sorted().map { "train.\($0)" } + (record.validation?.keys.sorted().map { "validation.\($0)" } ?? [])
    }
}
