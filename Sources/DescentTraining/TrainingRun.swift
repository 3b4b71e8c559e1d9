import Foundation

/// The run in progress, handed to every ``TrainingCallback`` event: where training is, and how to
/// stop it (fastai's `Learner` as its callbacks see it, with `CancelFitException` as
/// ``abort(_:)``; Keras' `model.stop_training = True` as ``requestStop(_:)``).
///
///     final class StopBelow: TrainingCallback {
///         func batchDidEnd(_ run: TrainingRun) {
///             if let loss = run.progress.batchLoss, loss < 0.05 { run.requestStop(.earlyStopping) }
///         }
///     }
///
/// There are two ways to stop:
/// - ``requestStop(_:)`` stops once the current step or epoch has ended: the remaining callbacks
///   of the event still run (so the checkpoint policy still saves the run where it stopped), then
///   `fit` returns. A request in `fitDidBegin`, `epochDidBegin`, `batchDidBegin` or `batchDidEnd`
///   stops after the current step; one in `epochWillEnd` or `epochDidEnd` after the current epoch.
/// - ``abort(_:)`` stops at once: the remaining callbacks of the event are skipped, nothing more is
///   recorded, counted or saved (an epoch aborted in `epochWillEnd` does not count as done), and
///   only `fitDidEnd` follows. The divergence detector aborts, so no checkpoint holds a diverged state.
///
/// Either way the run's ``stopReason`` becomes ``FitResult/stopReason``. The trainer makes one run
/// per ``Trainer/fit(epochs:training:validation:trainingEvaluation:)`` call; callbacks should not
/// keep it past `fitDidEnd`.
public final class TrainingRun {
    /// Where training is (the trainer updates it before every event).
    public internal(set) var progress: TrainingProgress
    /// Why the run stops, once a callback has asked; `nil` while it goes on. The first request
    /// wins; an abort replaces a pending request (a divergence found after a stop request is still
    /// reported as a divergence).
    public private(set) var stopReason: StopReason?
    /// Where and how the run diverged, set by whoever detects it (before aborting with
    /// `.diverged`); it becomes ``FitResult/divergence``. The default value is `nil`.
    public var divergence: Divergence?
    /// Whether a callback has aborted the run (see ``abort(_:)``).
    public private(set) var isAborted = false

    /// Seconds the training thread has spent on checkpoints in this `fit` call: taking snapshots
    /// and waiting for the previous write (the writes themselves run in the background). Not
    /// counted in ``trainingSeconds``, the epochs' seconds or ``FitResult/seconds``.
    public internal(set) var checkpointSeconds = 0.0
    /// Seconds spent in this `fit` call on the end-of-epoch evaluation of the training data (the
    /// full-loss pass), counted in ``trainingSeconds``.
    public internal(set) var evaluationSeconds = 0.0
    /// Seconds spent in this `fit` call on the end-of-epoch evaluation of the validation data,
    /// counted in ``trainingSeconds``.
    public internal(set) var validationSeconds = 0.0

    /// The user's callbacks, then the trainer's policies: the order every event visits them.
    let callbacks: [any TrainingCallback]
    /// When the `fit` call began.
    let start = Date()
    /// When this call began the current epoch, the seconds the epoch had taken before (when
    /// resuming mid-epoch), and ``checkpointSeconds`` when it began.
    private var epochStart = Date(), secondsBeforeEpoch = 0.0, checkpointSecondsBeforeEpoch = 0.0
    /// Samples trained on in this call.
    var samples = 0

    /// A run that sends its events to `callbacks`, in order.
    init(progress: TrainingProgress, callbacks: [any TrainingCallback]) {
        self.progress = progress
        self.callbacks = callbacks
    }

    /// Stops the run once the current step or epoch has ended, for `reason` (the first request
    /// wins). The default reason is `.interrupted`.
    public func requestStop(_ reason: StopReason = .interrupted) {
        if stopReason == nil { stopReason = reason }
    }

    /// Stops the run at once, for `reason`: the rest of the current event is skipped and nothing
    /// more of the step or epoch is recorded or saved; `fitDidEnd` still follows.
    public func abort(_ reason: StopReason) {
        guard !isAborted else { return }
        stopReason = reason
        isAborted = true
    }

    /// Wall-clock seconds since the `fit` call began (what the time limit counts).
    var elapsedSeconds: Double { Date().timeIntervalSince(start) }

    /// Seconds of training since the `fit` call began: `elapsedSeconds` without
    /// ``checkpointSeconds``.
    public var trainingSeconds: Double { elapsedSeconds - checkpointSeconds }

    /// Seconds of training in the current epoch, including those before a resume (checkpoint
    /// time not counted).
    var epochSeconds: Double {
        secondsBeforeEpoch + Date().timeIntervalSince(epochStart) - (checkpointSeconds - checkpointSecondsBeforeEpoch)
    }

    /// Starts timing epoch `epoch` (from 1), which had already taken `secondsSoFar` seconds.
    func beginEpoch(_ epoch: Int, secondsSoFar: Double) {
        progress.epoch = epoch
        epochStart = Date()
        secondsBeforeEpoch = secondsSoFar
        checkpointSecondsBeforeEpoch = checkpointSeconds
    }

    /// Sends an event to every callback in order. After a callback aborts, the rest are skipped
    /// and ``Abort`` is thrown, for `fit` to catch: the loop leaves from wherever it is.
    func send(_ event: (any TrainingCallback) throws -> Void) throws {
        for callback in callbacks {
            try event(callback)
            if isAborted { throw Abort() }
        }
    }

    /// Sends the last event to every callback, aborted run or not.
    func sendFitDidEnd() throws {
        progress.stopReason = stopReason ?? .completed
        progress.elapsedSeconds = elapsedSeconds
        for callback in callbacks { try callback.fitDidEnd(self) }
    }

    /// What ``send(_:)`` throws after an abort (never out of `fit`).
    struct Abort: Error {}
}
