/// The time limit as a policy: stops the run after the step, or the epoch, at whose end
/// ``Trainer/timeLimit`` seconds of this `fit` call have passed. After the last epoch the run has
/// completed and keeps that reason. PyTorch Lightning: `Trainer(max_time=…)`.
final class TimeLimitCallback: TrainingCallback {
    /// The limit, in wall-clock seconds since `fit` began.
    let seconds: Double

    /// A policy for a limit of `seconds`.
    init(seconds: Double) { self.seconds = seconds }

    func batchDidEnd(_ run: TrainingRun) {
        if run.elapsedSeconds >= seconds { run.requestStop(.timeLimit) }
    }

    func epochDidEnd(_ run: TrainingRun) {
        if run.progress.epoch < run.progress.epochs, run.elapsedSeconds >= seconds { run.requestStop(.timeLimit) }
    }
}
