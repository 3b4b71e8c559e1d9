import DescentData
import Foundation

extension Trainer {
    /// Trains until `epochs` epochs are done or a callback stops the run, continuing from ``state``
    /// (a fresh run, or one restored with ``restore(from:)``).
    ///
    /// The loop, for every epoch: for every batch, apply the schedule's rate, ``trainStep(on:next:)``,
    /// record the step (history, per-step schedule), send `batchDidEnd`; then evaluate the full
    /// training loss (evaluation mode, over `trainingEvaluation`) and the validation loss and
    /// metrics, record the epoch (per-epoch schedule), send `epochWillEnd`, move on to the next
    /// epoch, send `epochDidEnd`. Everything else is a ``TrainingCallback`` that can stop the run,
    /// called at every event in this order: ``callbacks``, then the policies made from
    /// ``divergence``, ``earlyStopping``, ``stopSignal``, ``timeLimit`` and ``checkpointing`` (in
    /// `Policies/`). The policies are made when `fit` begins: changing ``timeLimit`` or
    /// ``checkpointing`` during a run takes effect at the next call. fastai: `Learner.fit` with its
    /// callbacks; Keras: `model.fit(callbacks=…)`.
    ///
    /// - Parameters:
    ///   - epochs: the total number of epochs of the run (not of this call).
    ///   - training: the training batches (usually shuffled).
    ///   - validation: validation batches. The default value is `nil`.
    ///   - trainingEvaluation: the training data for the full-loss pass, made by
    ///     ``makeTrainingEvaluationLoader(for:evaluation:batchSize:)`` (all rows, or a fixed sample of
    ///     a large set) or any loader. The default value is `nil`: the `training` loader itself
    ///     (its epoch 0).
    /// - Returns: the stop reason, the history and the times: ``FitResult/seconds`` of training
    ///   (with ``FitResult/evaluationSeconds`` and ``FitResult/validationSeconds`` of it spent on the
    ///   end-of-epoch evaluations), and ``FitResult/checkpointSeconds`` apart. Checkpoints are
    ///   written in the background; `fit` returns once the last is on disk.
    /// - Throws: errors from the data, the model, the loss, a callback or checkpoint writing; a
    ///   configuration that cannot work (early stopping on a value that does not exist) as
    ///   ``TrainingError``. Divergence is not thrown: it is the result's ``FitResult/stopReason``.
    public func fit(epochs: Int, training: any BatchLoader<Scalar>, validation: (any BatchLoader<Scalar>)? = nil,
                    trainingEvaluation: (any BatchLoader<Scalar>)? = nil) throws -> FitResult {
        writtenCheckpoints = []
        guard training.batchesPerEpoch > 0 else { throw TrainingError("the training data gives no batches (is the batch size larger than the data, with dropLast?)") }
        if let finished = beginFit(epochs: epochs) {
            return FitResult(stopReason: finished, history: state.history, divergence: nil, seconds: 0, samples: 0)
        }
        let checkpoints = checkpointing.map { CheckpointCallback(trainer: self, policy: $0) }
        let run = TrainingRun(progress: TrainingProgress(epoch: state.position.epoch + 1, epochs: epochs, batch: state.position.batchIndex,
                                                         batchesPerEpoch: training.batchesPerEpoch, step: state.step, batchLoss: nil,
                                                         learningRate: optimizer.learningRate, batchSize: 0, elapsedSeconds: 0),
                              callbacks: callbacks + policies(checkpoints: checkpoints))
        do {
            do {
                try trainEpochs(epochs, training: training, validation: validation, trainingEvaluation: trainingEvaluation, in: run)
            } catch is TrainingRun.Abort {}  // a callback aborted: the loop leaves from where it was
            try run.sendFitDidEnd()
        } catch {
            checkpoints?.abandon()  // no checkpoint write outlives `fit`
            throw error
        }
        return FitResult(stopReason: run.stopReason ?? .completed, history: state.history, divergence: run.divergence,
                         seconds: run.trainingSeconds, samples: run.samples, checkpointSeconds: run.checkpointSeconds,
                         evaluationSeconds: run.evaluationSeconds, validationSeconds: run.validationSeconds)
    }

    /// The loop of ``fit(epochs:training:validation:trainingEvaluation:)``: from `fitDidBegin` to
    /// the last epoch's `epochDidEnd`, or to a stop. Throws ``TrainingRun/Abort`` when a callback aborts.
    private func trainEpochs(_ epochs: Int, training: any BatchLoader<Scalar>, validation: (any BatchLoader<Scalar>)?,
                             trainingEvaluation: (any BatchLoader<Scalar>)?, in run: TrainingRun) throws {
        try run.send { try $0.fitDidBegin(run) }
        epochLoop: while state.position.epoch < epochs {
            run.beginEpoch(state.position.epoch + 1, secondsSoFar: state.epochSeconds)
            if state.position.batchIndex == 0 { try run.send { try $0.epochDidBegin(run) } }
            let batches = try training.batches(from: state.position)
            while let batch = try batches.next() {
                run.progress.batch = state.position.batchIndex + 1
                try run.send { try $0.batchDidBegin(run) }
                try scheduler?.apply(to: optimizer)
                let learningRate = optimizer.learningRate
                // At batch size 1 the step looks ahead to the next sample (a read error there is
                // not this step's: the next `next()` reports it).
                let upcoming = batch.count == 1 && step.path == .compiled ? (try? batches.peek()) ?? nil : nil
                let batchLoss = try trainStep(on: batch, next: upcoming)
                try recordStep(batch, loss: batchLoss, learningRate: learningRate, in: run)
                try run.send { try $0.batchDidEnd(run) }
                if run.stopReason != nil { break epochLoop }
            }
            run.progress.epochRecord = try recordEpoch(training: training, validation: validation,
                                                       trainingEvaluation: trainingEvaluation, in: run)
            try run.send { try $0.epochWillEnd(run) }
            finishEpoch(epochs: epochs, in: run)
            try run.send { try $0.epochDidEnd(run) }
            run.progress.epochRecord = nil
            if run.stopReason != nil { break }
        }
    }

    /// The trainer's policies, made from its properties when `fit` begins, in the order every event
    /// visits them (after ``callbacks``). The order is what makes them work together: divergence
    /// first, so a diverged step is neither stopped "normally" nor saved (it aborts); early
    /// stopping next, right after the epoch's record (`epochWillEnd`), so `epochDidEnd` and the
    /// checkpoints see its decision and the restored weights; the stop request and the time limit
    /// after it (the first stop wins); checkpoints last, so they save what the others decided.
    func policies(checkpoints: CheckpointCallback<Scalar>?) -> [any TrainingCallback] {
        var policies: [any TrainingCallback] = []
        // Divergence and early stopping keep their state in `state` (saved in checkpoints and
        // restored with them), which `beginFit` fills from the properties on a fresh run.
        if state.divergence != nil { policies.append(DivergenceCallback(trainer: self)) }
        if state.earlyStopping != nil { policies.append(EarlyStoppingCallback(trainer: self)) }
        policies.append(StopRequestCallback(signal: stopSignal))
        if let timeLimit { policies.append(TimeLimitCallback(seconds: timeLimit)) }
        if let checkpoints { policies.append(checkpoints) }
        return policies
    }

    /// Prepares ``state`` for a run of `epochs` epochs. A fresh run takes the early-stopping rule,
    /// the divergence detector and the schedule from the properties (a restored one keeps the
    /// checkpoint's). Returns the saved reason when the run has already finished (stopped early,
    /// or completed with at least `epochs` epochs), in which case there is nothing to do.
    private func beginFit(epochs: Int) -> StopReason? {
        if state.step == 0 && state.position == LoaderPosition(epoch: 0) {
            state.earlyStopping = earlyStopping
            state.divergence = divergence
            state.scheduler = scheduler?.state
        }
        if let saved = state.finished, saved != .completed || state.position.epoch >= epochs { return saved }
        state.finished = nil
        if let trainingLossSample { state.history.trainingLossSample = trainingLossSample }
        return nil
    }

    /// Counts a step whose loss was `batchLoss`: the state (position, running sums, the epoch's
    /// seconds so far, for checkpoints), the history, a per-step schedule, and `run`'s progress.
    private func recordStep(_ batch: Batch<Scalar>, loss batchLoss: Double, learningRate: Double, in run: TrainingRun) throws {
        state.step += 1
        state.position.batchIndex += 1
        state.epochLossSum += batchLoss
        state.epochBatchCount += 1
        state.epochSeconds = run.epochSeconds
        state.history.steps.append(StepRecord(epoch: run.progress.epoch, step: state.step, batchLoss: batchLoss, learningRate: learningRate))
        if var s = scheduler, s.unit == .step, !s.needsMetric {
            try s.advance()
            scheduler = s
        }
        state.scheduler = scheduler?.state
        run.samples += batch.count
        run.progress.step = state.step; run.progress.batchLoss = batchLoss; run.progress.learningRate = learningRate
        run.progress.batchSize = batch.count; run.progress.elapsedSeconds = run.elapsedSeconds
    }

    /// Evaluates and records the epoch at ``state``'s position (timing the evaluations in `run`);
    /// advances a per-epoch schedule (a metric-driven one with the validation loss, else the
    /// training loss).
    private func recordEpoch(training: any BatchLoader<Scalar>, validation: (any BatchLoader<Scalar>)?,
                             trainingEvaluation: (any BatchLoader<Scalar>)?, in run: TrainingRun) throws -> EpochRecord {
        let seconds = run.epochSeconds  // the steps' time, as before the evaluations were timed
        var start = Date()
        let trainResult = try evaluate(model, loss: loss, metrics: metrics, on: trainingEvaluation ?? training)
        run.evaluationSeconds += Date().timeIntervalSince(start)
        start = Date()
        let validationResult = try validation.map { try evaluate(model, loss: loss, metrics: metrics, on: $0) }
        run.validationSeconds += Date().timeIntervalSince(start)
        let meanBatchLoss = state.epochBatchCount == 0 ? .nan : state.epochLossSum / Double(state.epochBatchCount)
        let record = EpochRecord(epoch: state.position.epoch + 1, steps: state.step,
                                 learningRate: state.history.steps.last?.learningRate ?? optimizer.learningRate,
                                 meanBatchLoss: meanBatchLoss, train: trainResult.values, validation: validationResult?.values,
                                 seconds: seconds)
        state.history.epochs.append(record)
        if var s = scheduler, s.unit == .epoch || s.needsMetric {
            try s.advance(metric: s.needsMetric ? (validationResult?.loss ?? trainResult.loss) : nil)
            scheduler = s
            state.scheduler = s.state
        }
        return record
    }

    /// Moves past the epoch just recorded: the position to the next epoch's start, fresh running
    /// sums, and `.completed` once the last epoch is done (unless a policy has already finished the
    /// run, as early stopping does).
    private func finishEpoch(epochs: Int, in run: TrainingRun) {
        state.position = LoaderPosition(epoch: state.position.epoch + 1, batchIndex: 0)
        state.epochLossSum = 0
        state.epochBatchCount = 0
        state.epochSeconds = 0
        if state.finished == nil && state.position.epoch >= epochs { state.finished = .completed }
        run.progress.elapsedSeconds = run.elapsedSeconds
    }
}
