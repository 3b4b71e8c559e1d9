import DescentCore

/// Checkpointing as a policy, writing what ``CheckpointPolicy`` asks for:
/// - after a step: when the run is stopping (a stop request or the time limit; divergence aborts
///   before this policy sees the step), a checkpoint of where it stopped, so a resume continues
///   with the next step; otherwise one every `everySteps` steps within an epoch (an epoch's last
///   step is covered by the epoch's checkpoint);
/// - after an epoch: `best.ckpt` when the `bestMonitor` value improved, then a periodic one every
///   `everyEpochs` epochs, after the last epoch of a finished run (completed or stopped early),
///   and after every epoch when `everySteps` is set.
///
/// It comes last among the policies, so it saves what the others decided (early stopping's
/// counters and restored weights, the divergence reference). The best value so far lives in
/// ``TrainerState/bestMonitored``; the files written go to ``Trainer/writtenCheckpoints``.
/// Keras: `ModelCheckpoint`; fastai: `SaveModelCallback`.
final class CheckpointCallback<Scalar: TensorScalar>: TrainingCallback {
    let trainer: Trainer<Scalar>
    let policy: CheckpointPolicy

    /// The policy that writes `trainer`'s checkpoints as `policy` says.
    init(trainer: Trainer<Scalar>, policy: CheckpointPolicy) {
        self.trainer = trainer
        self.policy = policy
    }

    func batchDidEnd(_ run: TrainingRun) throws {
        let state = trainer.state
        let due = policy.everySteps.map { $0 > 0 && state.step % $0 == 0 } ?? false
        if run.stopReason != nil || (due && state.position.batchIndex < run.progress.batchesPerEpoch) { try save() }
    }

    func epochDidEnd(_ run: TrainingRun) throws {
        guard let record = run.progress.epochRecord else { return }
        if let monitor = policy.bestMonitor, let value = record.value(of: monitor), !value.isNaN {
            let better = EarlyStopping.defaultMode(for: monitor) == .min ? value < (trainer.state.bestMonitored ?? .infinity)
                                                                        : value > (trainer.state.bestMonitored ?? -.infinity)
            if better {
                trainer.state.bestMonitored = value
                try policy.store.saveBest(trainer.makeCheckpoint().encoded())
            }
        }
        let dueByEpoch = policy.everyEpochs.map { $0 > 0 && record.epoch % $0 == 0 } ?? false
        if dueByEpoch || trainer.state.finished != nil || policy.everySteps != nil { try save() }
    }

    /// Writes a periodic checkpoint of the run as it is now.
    private func save() throws {
        trainer.writtenCheckpoints.append(try policy.store.save(trainer.makeCheckpoint().encoded(), step: trainer.state.step))
    }
}
