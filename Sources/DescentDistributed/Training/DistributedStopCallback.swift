import DescentCore
import DescentTraining

/// Stops every rank after the same step: feeds this rank's Ctrl-C and time limit into the
/// step's vote (``DistributedTrainingStep/localStop``) and stops the run once the ranks agreed on a
/// stop. Used in place of the trainer's own time limit and stop request, which each rank would
/// otherwise decide alone (one rank leaving the loop early would leave the others waiting).
/// - PyTorch: no built-in; Lightning's `Trainer(max_time=…)` under DDP all-reduces the decision the same way.
public final class DistributedStopCallback<Scalar: TensorScalar>: TrainingCallback {
    /// The step whose vote is used.
    public let step: DistributedTrainingStep<Scalar>
    /// Seconds after which this rank votes to stop, or `nil`.
    public let timeLimit: Double?

    /// The agreement over `step`'s reductions, with this rank's `timeLimit` (seconds of `fit`).
    public init(step: DistributedTrainingStep<Scalar>, timeLimit: Double?) {
        self.step = step
        self.timeLimit = timeLimit
    }

    public func batchDidEnd(_ run: TrainingRun) {
        if let reason = step.agreedStop {
            run.requestStop(reason)
            return
        }
        if let timeLimit, run.progress.elapsedSeconds >= timeLimit, step.localStop.reason == nil { step.localStop.request(.timeLimit) }
    }
}
