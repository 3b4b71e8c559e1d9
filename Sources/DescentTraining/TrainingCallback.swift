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
    /// The record of the epoch that just ended (at `epochWillEnd` and `epochDidEnd`), else `nil`.
    public var epochRecord: EpochRecord?
    /// Why the run stopped (at `fitDidEnd`), else `nil`.
    public var stopReason: StopReason?
}

/// Code that runs at the events of a training run (Keras callbacks, fastai's `Callback`):
/// progress bars, logging, custom stopping rules, plots. The trainer's own policies (divergence
/// detection, early stopping, the stop request, the time limit, checkpoints) are callbacks too;
/// every event visits ``Trainer/callbacks`` first, in their order, then those policies.
///
/// Every event comes in two forms. The trainer calls the ``TrainingRun`` form, which can stop the
/// run (``TrainingRun/requestStop(_:)``, ``TrainingRun/abort(_:)``) and can throw (the error ends
/// `fit`). Its default calls the ``TrainingProgress`` form, which only observes. Every method has
/// an empty default, so a callback implements only the events it needs, in either form:
///
///     final class PrintEpochs: TrainingCallback {
///         func epochDidEnd(_ progress: TrainingProgress) {
///             print("epoch", progress.epoch, progress.epochRecord!.train["loss"]!)
///         }
///     }
///     final class StopAtAccuracy: TrainingCallback {
///         func epochDidEnd(_ run: TrainingRun) {
///             if let accuracy = run.progress.epochRecord?.validation?["accuracy"], accuracy >= 0.99 {
///                 run.requestStop(.earlyStopping)
///             }
///         }
///     }
///     trainer.callbacks += [PrintEpochs(), StopAtAccuracy()]
///
/// The events of one `fit`, in order: `fitDidBegin`; for every epoch `epochDidBegin` (not when
/// resuming mid-epoch), for every batch `batchDidBegin` and `batchDidEnd`, then `epochWillEnd`
/// and `epochDidEnd`; `fitDidEnd` (also after a stop or an abort). ``Trainer/requestStop(_:)``
/// still works from anywhere (another thread, a signal handler): it stops after the current step.
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

    /// Before the first epoch (also when resuming). The default calls `fitDidBegin(run.progress)`.
    func fitDidBegin(_ run: TrainingRun) throws
    /// Before an epoch's first batch (not when resuming mid-epoch). The default calls `epochDidBegin(run.progress)`.
    func epochDidBegin(_ run: TrainingRun) throws
    /// Before a batch's step. The default calls `batchDidBegin(run.progress)`.
    func batchDidBegin(_ run: TrainingRun) throws
    /// After a batch's step has been counted and recorded in the history. The default calls
    /// `batchDidEnd(run.progress)`.
    func batchDidEnd(_ run: TrainingRun) throws
    /// After an epoch's evaluation and record, before the epoch counts as done (the trainer's
    /// position is still at its end; aborting here leaves it unfinished). Early stopping decides
    /// here. ``TrainingProgress/epochRecord`` is set. The default does nothing (fastai: `after_validate`).
    func epochWillEnd(_ run: TrainingRun) throws
    /// After the epoch counts as done (the position is at the next epoch).
    /// ``TrainingProgress/epochRecord`` is set. The default calls `epochDidEnd(run.progress)`.
    func epochDidEnd(_ run: TrainingRun) throws
    /// When the run stops, for any reason (``TrainingProgress/stopReason`` is set; stopping here
    /// changes nothing). The default calls `fitDidEnd(run.progress)`.
    func fitDidEnd(_ run: TrainingRun) throws
}

/// Empty defaults: a callback implements only the events it needs.
extension TrainingCallback {
    /// Does nothing.
    public func fitDidBegin(_ progress: TrainingProgress) {}
    /// Does nothing.
    public func epochDidBegin(_ progress: TrainingProgress) {}
    /// Does nothing.
    public func batchDidBegin(_ progress: TrainingProgress) {}
    /// Does nothing.
    public func batchDidEnd(_ progress: TrainingProgress) {}
    /// Does nothing.
    public func epochDidEnd(_ progress: TrainingProgress) {}
    /// Does nothing.
    public func fitDidEnd(_ progress: TrainingProgress) {}

    /// Calls the observing form, `fitDidBegin(run.progress)`.
    public func fitDidBegin(_ run: TrainingRun) throws { fitDidBegin(run.progress) }
    /// Calls the observing form, `epochDidBegin(run.progress)`.
    public func epochDidBegin(_ run: TrainingRun) throws { epochDidBegin(run.progress) }
    /// Calls the observing form, `batchDidBegin(run.progress)`.
    public func batchDidBegin(_ run: TrainingRun) throws { batchDidBegin(run.progress) }
    /// Calls the observing form, `batchDidEnd(run.progress)`.
    public func batchDidEnd(_ run: TrainingRun) throws { batchDidEnd(run.progress) }
    /// Does nothing (this event has no observing form).
    public func epochWillEnd(_ run: TrainingRun) throws {}
    /// Calls the observing form, `epochDidEnd(run.progress)`.
    public func epochDidEnd(_ run: TrainingRun) throws { epochDidEnd(run.progress) }
    /// Calls the observing form, `fitDidEnd(run.progress)`.
    public func fitDidEnd(_ run: TrainingRun) throws { fitDidEnd(run.progress) }
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
