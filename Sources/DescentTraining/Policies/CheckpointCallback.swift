import DescentCore
import DescentData
import Foundation

/// Checkpointing as a policy, writing what ``CheckpointPolicy`` asks for:
/// - after a step: when the run is stopping (a stop request or the time limit; divergence aborts
///   before this policy sees the step), a checkpoint of where it stopped, so a resume continues
///   with the next step; otherwise one every `everySteps` steps, or when `everySeconds` of
///   training have passed since the last, within an epoch (an epoch's last step is covered by the
///   epoch's checkpoint, written after its evaluation);
/// - after an epoch: the snapshot for `best.ckpt` when the `bestMonitor` value improved (kept in
///   memory until the next write), then a periodic checkpoint every `everyEpochs` epochs, when
///   `everySeconds` have passed, after the last epoch of a finished run (completed or stopped
///   early), after an epoch at which the run stops, and after every epoch when `everySteps` is set;
/// - when `fit` ends: a last checkpoint if the run moved since the one before (never after an
///   abort: only a best snapshot still in memory is written then), and a wait for the write in
///   flight.
///
/// Every checkpoint is a snapshot taken here, on the training thread (so it holds exactly the
/// state a synchronous write would have), and written by a ``CheckpointWriter`` in the
/// background. The seconds this thread spends on checkpoints (snapshots, waits) go to
/// ``TrainingRun/checkpointSeconds``, apart from training time.
///
/// It comes last among the policies, so it saves what the others decided (early stopping's
/// counters and restored weights, the divergence reference). The best value so far lives in
/// ``TrainerState/bestMonitored``; the files written go to ``Trainer/writtenCheckpoints``.
/// Keras: `ModelCheckpoint`; fastai: `SaveModelCallback`.
final class CheckpointCallback<Scalar: TensorScalar>: TrainingCallback {
    let trainer: Trainer<Scalar>
    let policy: CheckpointPolicy
    let writer: CheckpointWriter
    /// The best epoch's snapshot, written to `best.ckpt` with the next checkpoint.
    private var pendingBest: TrainingCheckpoint<Scalar>?
    /// Where the last checkpoint (or the state the run began from) was: a checkpoint at the end
    /// is written only if the run has moved since.
    private var saved: Mark
    /// ``TrainingRun/trainingSeconds`` when the last checkpoint was taken (or the run began).
    private var savedAtSeconds = 0.0

    /// What identifies a point of the run for "has it moved since".
    private struct Mark: Equatable {
        var step: Int, position: LoaderPosition, finished: StopReason?
    }

    /// The policy that writes `trainer`'s checkpoints as `policy` says.
    init(trainer: Trainer<Scalar>, policy: CheckpointPolicy) {
        self.trainer = trainer
        self.policy = policy
        writer = CheckpointWriter(inBackground: policy.writesInBackground)
        saved = Mark(step: trainer.state.step, position: trainer.state.position, finished: trainer.state.finished)
    }

    func fitDidBegin(_ run: TrainingRun) throws {
        saved = mark
        savedAtSeconds = run.trainingSeconds
    }

    func batchDidEnd(_ run: TrainingRun) throws {
        if run.stopReason != nil { return try save(run) }
        guard trainer.state.position.batchIndex < run.progress.batchesPerEpoch else { return }
        let dueBySteps = policy.everySteps.map { $0 > 0 && trainer.state.step % $0 == 0 } ?? false
        if dueBySteps || isDueByTime(run) { try save(run) }
    }

    func epochDidEnd(_ run: TrainingRun) throws {
        guard let record = run.progress.epochRecord else { return }
        if let monitor = policy.bestMonitor, let value = record.value(of: monitor), !value.isNaN {
            let better = EarlyStopping.defaultMode(for: monitor) == .min ? value < (trainer.state.bestMonitored ?? .infinity)
                                                                        : value > (trainer.state.bestMonitored ?? -.infinity)
            if better {
                trainer.state.bestMonitored = value
                try timed(run) { pendingBest = trainer.makeCheckpoint() }
            }
        }
        let dueByEpoch = policy.everyEpochs.map { $0 > 0 && record.epoch % $0 == 0 } ?? false
        if dueByEpoch || trainer.state.finished != nil || run.stopReason != nil || policy.everySteps != nil || isDueByTime(run) {
            try save(run)
        }
    }

    func fitDidEnd(_ run: TrainingRun) throws {
        if !run.isAborted && mark != saved {
            try save(run)
        } else if let best = pendingBest {
            pendingBest = nil
            let store = policy.store
            try submit(run) { try store.saveBest(best.encoded()); return [] }
        }
        try timed(run) { trainer.writtenCheckpoints += try writer.finish() }
    }

    /// Waits for the write in flight and drops its outcome: `fit` is leaving with another error.
    func abandon() { _ = try? writer.finish() }

    /// The run's point now.
    private var mark: Mark { Mark(step: trainer.state.step, position: trainer.state.position, finished: trainer.state.finished) }

    /// Whether `everySeconds` of training have passed since the last checkpoint.
    private func isDueByTime(_ run: TrainingRun) -> Bool {
        guard let seconds = policy.everySeconds else { return false }
        return run.trainingSeconds - savedAtSeconds >= seconds
    }

    /// Snapshots the run as it is now and hands it to the writer, with the best snapshot if one
    /// is waiting.
    private func save(_ run: TrainingRun) throws {
        let store = policy.store, step = trainer.state.step
        var checkpoint: TrainingCheckpoint<Scalar>?
        try timed(run) { checkpoint = trainer.makeCheckpoint() }
        let best = pendingBest
        pendingBest = nil
        try submit(run) { [checkpoint] in
            if let best { try store.saveBest(best.encoded()) }
            guard let checkpoint else { return [] }
            return [try store.save(checkpoint.encoded(), step: step)]
        }
        saved = mark
        savedAtSeconds = run.trainingSeconds
    }

    /// Starts `job` on the writer (after the previous write), timed as checkpoint time.
    private func submit(_ run: TrainingRun, _ job: @escaping @Sendable () throws -> [URL]) throws {
        let beforeWrite = policy.beforeWrite, step = trainer.state.step
        try timed(run) {
            trainer.writtenCheckpoints += try writer.submit {
                beforeWrite?(step)
                return try job()
            }
        }
    }

    /// Runs `body`, adding its seconds to the run's checkpoint time.
    private func timed(_ run: TrainingRun, _ body: () throws -> Void) throws {
        let start = Date()
        defer { run.checkpointSeconds += Date().timeIntervalSince(start) }
        try body()
    }
}
