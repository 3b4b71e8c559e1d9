import Foundation

/// Where training is, handed to every ``TrainingCallback`` event.
public struct TrainingProgress: Sendable {
    /// The current epoch, counted from 1.
    public var epoch: Int
    /// The epochs the run was asked for.
    public var epochs: Int
    /// The batch within the epoch, counted from 1 (0 before the first batch).
    public var batch: Int
    /// Batches in one epoch.
    public var batchesPerEpoch: Int
    /// Optimizer steps so far over the whole run.
    public var step: Int
    /// The last batch's loss (`nil` before the first step).
    public var batchLoss: Double?
    /// The learning rate of the last (or next) step.
    public var learningRate: Double
    /// Samples in the last batch.
    public var batchSize: Int
    /// Seconds since ``Trainer/fit(epochs:training:validation:trainingEvaluation:)`` began.
    public var elapsedSeconds: Double
    /// The record of the epoch that just ended (at `epochDidEnd`), else `nil`.
    public var epochRecord: EpochRecord?
    /// Why the run stopped (at `fitDidEnd`), else `nil`.
    public var stopReason: StopReason?
}

/// Code that runs at the events of a training run (Keras callbacks, fastai's `Callback`):
/// progress bars, logging, custom stopping rules, plots.
///
/// Every method has an empty default, so a callback implements only what it needs. To stop the
/// run from a callback, call ``Trainer/requestStop(_:)`` (it stops after the current step).
///
///     final class PrintEpochs: TrainingCallback {
///         func epochDidEnd(_ progress: TrainingProgress) {
///             print("epoch", progress.epoch, progress.epochRecord!.train["loss"]!)
///         }
///     }
///     trainer.callbacks.append(PrintEpochs())
public protocol TrainingCallback: AnyObject {
    /// Before the first epoch (also when resuming).
    func fitDidBegin(_ progress: TrainingProgress)
    /// Before an epoch's first batch.
    func epochDidBegin(_ progress: TrainingProgress)
    /// Before a batch's step.
    func batchDidBegin(_ progress: TrainingProgress)
    /// After a batch's optimizer step.
    func batchDidEnd(_ progress: TrainingProgress)
    /// After an epoch's evaluation (``TrainingProgress/epochRecord`` is set).
    func epochDidEnd(_ progress: TrainingProgress)
    /// When the run stops, for any reason (``TrainingProgress/stopReason`` is set).
    func fitDidEnd(_ progress: TrainingProgress)
}

/// Empty defaults: a callback implements only the events it needs.
extension TrainingCallback {
    public func fitDidBegin(_ progress: TrainingProgress) {}
    public func epochDidBegin(_ progress: TrainingProgress) {}
    public func batchDidBegin(_ progress: TrainingProgress) {}
    public func batchDidEnd(_ progress: TrainingProgress) {}
    public func epochDidEnd(_ progress: TrainingProgress) {}
    public func fitDidEnd(_ progress: TrainingProgress) {}
}

/// A callback made of closures, for quick hooks:
/// `trainer.callbacks.append(ClosureCallback(batchDidEnd: { print($0.batchLoss!) }))`.
public final class ClosureCallback: TrainingCallback {
    let onFitBegin, onEpochBegin, onBatchBegin, onBatchEnd, onEpochEnd, onFitEnd: ((TrainingProgress) -> Void)?

    /// A callback that calls the given closures (each optional).
    public init(fitDidBegin: ((TrainingProgress) -> Void)? = nil, epochDidBegin: ((TrainingProgress) -> Void)? = nil,
                batchDidBegin: ((TrainingProgress) -> Void)? = nil, batchDidEnd: ((TrainingProgress) -> Void)? = nil,
                epochDidEnd: ((TrainingProgress) -> Void)? = nil, fitDidEnd: ((TrainingProgress) -> Void)? = nil) {
        onFitBegin = fitDidBegin; onEpochBegin = epochDidBegin; onBatchBegin = batchDidBegin
        onBatchEnd = batchDidEnd; onEpochEnd = epochDidEnd; onFitEnd = fitDidEnd
    }

    /// Calls the matching closure, if given (the same for the other events).
    public func fitDidBegin(_ progress: TrainingProgress) { onFitBegin?(progress) }
    public func epochDidBegin(_ progress: TrainingProgress) { onEpochBegin?(progress) }
    public func batchDidBegin(_ progress: TrainingProgress) { onBatchBegin?(progress) }
    public func batchDidEnd(_ progress: TrainingProgress) { onBatchEnd?(progress) }
    public func epochDidEnd(_ progress: TrainingProgress) { onEpochEnd?(progress) }
    public func fitDidEnd(_ progress: TrainingProgress) { onFitEnd?(progress) }
}
