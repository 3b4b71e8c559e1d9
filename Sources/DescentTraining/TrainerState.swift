import DescentData
import DescentOptim

/// Everything about a run's progress that is not a tensor: where the loader is, the step count,
/// the running sums of the current epoch, the history, and the state of early stopping, the
/// divergence detector and the schedule. Saved in every checkpoint, so a resumed run continues
/// exactly where the interrupted one stopped.
public struct TrainerState: Codable, Equatable, Sendable {
    /// The next batch to train on: epoch (from 0) and batch index within it.
    public var position = LoaderPosition(epoch: 0, batchIndex: 0)
    /// Optimizer steps taken.
    public var step = 0
    /// The sum of this epoch's batch losses so far (for the mean batch loss).
    public var epochLossSum = 0.0
    /// The batches of this epoch trained so far.
    public var epochBatchCount = 0
    /// Seconds spent in this epoch so far (across resumes).
    public var epochSeconds = 0.0
    /// What happened so far.
    public var history = TrainingHistory()
    /// The early-stopping rule and its counters, if there is one.
    public var earlyStopping: EarlyStopping?
    /// The divergence detector and its reference loss, if there is one.
    public var divergence: DivergenceDetector?
    /// The best value of the checkpoint policy's monitor so far.
    public var bestMonitored: Double?
    /// The learning-rate scheduler's state, if there is a scheduler.
    public var scheduler: LearningRateScheduler.State?
    /// Set when the run has finished (completed or stopped early); `nil` while it can go on.
    public var finished: StopReason?

    /// A fresh state.
    public init() {}

    /// Checks the counters a checkpoint holds before a trainer uses them: a checksum detects
    /// accidents, not edits, so every field is untrusted input.
    /// - Throws: ``CheckpointError`` naming the field, its value and the range it must lie in.
    public func validate() throws {
        func check(_ name: String, _ value: Int, _ upper: Int = maximumStepCount) throws {
            guard value >= 0, value <= upper else {
                throw CheckpointError("the checkpoint's \(name) is \(value), outside 0…\(upper); the file was edited or damaged: "
                                      + "resume from another checkpoint (delete this one) or start again without --resume")
            }
        }
        try check("epoch", position.epoch)
        try check("batchIndex", position.batchIndex)
        try check("step", step)
        try check("epochBatchCount", epochBatchCount)
        guard epochSeconds.isFinite, epochSeconds >= 0 else {
            throw CheckpointError("the checkpoint's epochSeconds is \(epochSeconds), not a time ≥ 0; the file was edited or damaged")
        }
    }
}
