import DescentCore

/// Divergence detection as a policy: aborts the run when a step's loss is NaN or infinite
/// (after every step) or when an epoch's mean batch loss has grown past the detector's factor
/// (in `epochWillEnd`, right after the epoch's record and before it counts as done).
///
/// It aborts rather than requesting a stop, so nothing after the diverged step is saved or
/// counted: the stop request, the time limit and the checkpoints do not see that event, and no
/// checkpoint holds a diverged state. The detector and its reference loss live in
/// ``TrainerState/divergence`` (saved in checkpoints). Keras: `TerminateOnNaN`; fastai:
/// `TerminateOnNaNCallback` (both for NaN only).
final class DivergenceCallback<Scalar: TensorScalar>: TrainingCallback {
    let trainer: Trainer<Scalar>

    /// The policy for `trainer`'s detector (``TrainerState/divergence``).
    init(trainer: Trainer<Scalar>) { self.trainer = trainer }

    func batchDidEnd(_ run: TrainingRun) {
        guard let detector = trainer.state.divergence, let loss = run.progress.batchLoss, detector.stepDiverged(loss: loss) else { return }
        run.divergence = Divergence(epoch: run.progress.epoch, step: run.progress.step, loss: loss, reference: nil,
                                    learningRate: run.progress.learningRate)
        run.abort(.diverged)
    }

    func epochWillEnd(_ run: TrainingRun) {
        guard var detector = trainer.state.divergence, let record = run.progress.epochRecord else { return }
        let diverged = detector.epochDiverged(meanBatchLoss: record.meanBatchLoss)
        trainer.state.divergence = detector  // the first epoch sets the reference
        guard diverged else { return }
        run.divergence = Divergence(epoch: record.epoch, step: record.steps, loss: record.meanBatchLoss,
                                    reference: detector.reference, learningRate: record.learningRate)
        run.abort(.diverged)
    }
}
