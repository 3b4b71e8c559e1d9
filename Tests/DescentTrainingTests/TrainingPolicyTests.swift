import DescentCore
import DescentData
import DescentNN
import DescentOptim
import DescentTraining
import Foundation
import Testing

/// Records the events it sees and stops or aborts the run where it is told to, through the
/// ``TrainingRun`` forms of the events.
private final class Steering: TrainingCallback {
    var events: [String] = []
    let stopAfterStep: Int?, stopAfterEpoch: Int?, abortAfterStep: Int?, abortBeforeEpochEnds: Int?
    let reason: StopReason

    init(stopAfterStep: Int? = nil, stopAfterEpoch: Int? = nil, abortAfterStep: Int? = nil, abortBeforeEpochEnds: Int? = nil,
         reason: StopReason = .interrupted) {
        self.stopAfterStep = stopAfterStep; self.stopAfterEpoch = stopAfterEpoch
        self.abortAfterStep = abortAfterStep; self.abortBeforeEpochEnds = abortBeforeEpochEnds
        self.reason = reason
    }

    func fitDidBegin(_ run: TrainingRun) { events.append("fit") }
    func epochDidBegin(_ run: TrainingRun) { events.append("E\(run.progress.epoch)") }
    func batchDidEnd(_ run: TrainingRun) {
        if run.progress.step == stopAfterStep { run.requestStop(reason) }
        if run.progress.step == abortAfterStep { run.abort(reason) }
    }
    func epochWillEnd(_ run: TrainingRun) {
        events.append("will\(run.progress.epochRecord!.epoch)")
        if run.progress.epoch == abortBeforeEpochEnds { run.abort(reason) }
    }
    func epochDidEnd(_ run: TrainingRun) {
        events.append("end\(run.progress.epochRecord!.epoch)")
        if run.progress.epoch == stopAfterEpoch { run.requestStop(reason) }
    }
    func fitDidEnd(_ run: TrainingRun) { events.append("done:\(run.progress.stopReason!.rawValue)") }
}

/// An observing callback (the `TrainingProgress` forms only) that records the events it sees.
private func recorder(_ events: @escaping (String) -> Void) -> ClosureCallback {
    ClosureCallback(fitDidBegin: { _ in events("fit") }, epochDidBegin: { events("E\($0.epoch)") },
                    batchDidEnd: { events("s\($0.step)") }, epochDidEnd: { events("end\($0.epochRecord!.epoch)") },
                    fitDidEnd: { events("done:\($0.stopReason!.rawValue)") })
}

/// `a` and `b` agree to 1e-9 relative: the values below were recorded on an AVX-512/FMA machine, and
/// another instruction set (the kernels are chosen at run time) may round differently.
private func close(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= 1e-9 * Swift.max(Swift.abs($0), Swift.abs($1)) }
}

private func names(_ urls: [URL]) -> [String] { urls.map(\.lastPathComponent) }

/// A moons run (6 steps per epoch) that checkpoints into `store` and has `callbacks`.
private func moonsRun(checkpointingInto store: CheckpointStore, everyEpochs: Int, everySteps: Int? = nil,
                      callbacks: [any TrainingCallback]) throws -> MoonsRun<Double> {
    let run = try MoonsRun<Double>()
    run.trainer.checkpointing = CheckpointPolicy(store: store, everyEpochs: everyEpochs, everySteps: everySteps)
    run.trainer.callbacks = callbacks
    return run
}

@Suite struct TrainingPolicyTests {
    /// 90 training samples in batches of 16 give 6 steps per epoch (see `historyHasEveryStepAndEpochWithFullAndMeanBatchLoss`).
    @Test func aCallbackCanStopTheRunMidEpoch() throws {
        let folder = try TemporaryFolder()
        let steering = Steering(stopAfterStep: 9)
        let run = try moonsRun(checkpointingInto: CheckpointStore(directory: folder.url, keep: 5), everyEpochs: 2, everySteps: 4, callbacks: [steering])
        let result = try run.trainer.fit(epochs: 3, training: run.training, validation: run.validation)
        // Step 9 is the third of epoch 2: the run stops there (and epoch 2 never ends).
        #expect(result.stopReason == .interrupted && result.history.steps.count == 9 && result.epochs == 1)
        #expect(run.trainer.state.position == LoaderPosition(epoch: 1, batchIndex: 3) && run.trainer.state.finished == nil)
        #expect(steering.events == ["fit", "E1", "will1", "end1", "E2", "done:interrupted"])
        // Recorded from the fit before the policies (67e7987) stopping at step 9 with `trainer.requestStop()`:
        // every 4 steps (4, 8), after epoch 1 (everySteps is set), and where the run stopped (9).
        #expect(names(run.trainer.writtenCheckpoints) == ["checkpoint-000000004.ckpt", "checkpoint-000000006.ckpt",
                                                           "checkpoint-000000008.ckpt", "checkpoint-000000009.ckpt"])
        let last = try TrainingCheckpoint<Double>(contentsOf: run.trainer.writtenCheckpoints[3])
        #expect(last.trainer.step == 9 && last.trainer.position == LoaderPosition(epoch: 1, batchIndex: 3) && last.trainer.epochSeconds > 0)

        // The same stop through the stop signal (the only way before) gives the same run.
        let signalled = try MoonsRun<Double>()
        let trainer = signalled.trainer
        trainer.callbacks = [ClosureCallback(batchDidEnd: { if $0.step == 9 { trainer.requestStop() } })]
        let reference = try trainer.fit(epochs: 3, training: signalled.training, validation: signalled.validation)
        #expect(reference.stopReason == result.stopReason && reference.history.steps == result.history.steps)
        #expect(reference.history.epochs.map(\.train) == result.history.epochs.map(\.train))
        #expect(trainer.state.position == run.trainer.state.position && bits(signalled.parameters) == bits(run.parameters))
    }

    @Test func aCallbackCanStopTheRunAtAnEpochEndAndTheRunResumes() throws {
        let folder = try TemporaryFolder()
        let store = CheckpointStore(directory: folder.url, keep: 5)
        let steering = Steering(stopAfterEpoch: 2)
        let run = try moonsRun(checkpointingInto: store, everyEpochs: 2, callbacks: [steering])
        let result = try run.trainer.fit(epochs: 3, training: run.training, validation: run.validation)
        // The stop takes effect after epoch 2 has ended: it is recorded, counted and checkpointed
        // (everyEpochs 2: after epoch 2 only), and the run can go on.
        #expect(result.stopReason == .interrupted && result.epochs == 2 && result.history.steps.count == 12)
        #expect(run.trainer.state.position == LoaderPosition(epoch: 2, batchIndex: 0) && run.trainer.state.finished == nil)
        #expect(steering.events == ["fit", "E1", "will1", "end1", "E2", "will2", "end2", "done:interrupted"])
        #expect(names(run.trainer.writtenCheckpoints) == ["checkpoint-000000012.ckpt"])

        let resumed = try MoonsRun<Double>()
        try resumed.trainer.restore(from: try #require(store.latest(as: Double.self)).checkpoint)
        let rest = try resumed.trainer.fit(epochs: 3, training: resumed.training, validation: resumed.validation)
        let whole = try MoonsRun<Double>()
        let uninterrupted = try whole.trainer.fit(epochs: 3, training: whole.training, validation: whole.validation)
        #expect(rest.stopReason == .completed && rest.history.steps == uninterrupted.history.steps)
        #expect(rest.history.epochs.map(\.validation) == uninterrupted.history.epochs.map(\.validation))
        #expect(bits(resumed.parameters) == bits(whole.parameters))
    }

    /// The contract of `abort`: the rest of the event is skipped (here the observer after it and
    /// the checkpoint policy, which would have saved step 4), only `fitDidEnd` follows.
    @Test func abortingAfterAStepSkipsTheRestOfTheEvent() throws {
        let folder = try TemporaryFolder()
        var seen: [String] = []
        let run = try moonsRun(checkpointingInto: CheckpointStore(directory: folder.url), everyEpochs: 1, everySteps: 4,
                               callbacks: [Steering(abortAfterStep: 4, reason: .diverged), recorder { seen.append($0) }])
        let result = try run.trainer.fit(epochs: 3, training: run.training)
        #expect(result.stopReason == .diverged && result.history.steps.count == 4 && result.divergence == nil)
        #expect(seen == ["fit", "E1", "s1", "s2", "s3", "done:diverged"])
        #expect(run.trainer.writtenCheckpoints.isEmpty)
    }

    /// Aborting in `epochWillEnd` leaves the epoch recorded but unfinished, as an epoch-level
    /// divergence does (`anEpochThatGrowsPastTheFactorAbortsBeforeItCounts` has the values).
    @Test func abortingBeforeAnEpochEndsLeavesItUnfinished() throws {
        let folder = try TemporaryFolder()
        let steering = Steering(abortBeforeEpochEnds: 2)
        let run = try moonsRun(checkpointingInto: CheckpointStore(directory: folder.url), everyEpochs: 1, everySteps: 4, callbacks: [steering])
        let result = try run.trainer.fit(epochs: 3, training: run.training)
        #expect(result.stopReason == .interrupted && result.history.epochs.count == 2)
        #expect(run.trainer.state.position == LoaderPosition(epoch: 1, batchIndex: 6))
        #expect(steering.events == ["fit", "E1", "will1", "end1", "E2", "will2", "done:interrupted"])
        #expect(names(run.trainer.writtenCheckpoints) == ["checkpoint-000000004.ckpt", "checkpoint-000000006.ckpt", "checkpoint-000000008.ckpt"])
    }

    /// Recorded from the fit before the policies (67e7987): the second epoch's mean batch loss is
    /// more than half the first's, so a factor of 0.5 counts it as divergence, before epoch 2 counts
    /// as done (no `epochDidEnd`, no checkpoint after it, the position still at its end).
    @Test func anEpochThatGrowsPastTheFactorAbortsBeforeItCounts() throws {
        let folder = try TemporaryFolder()
        let run = try MoonsRun<Double>()
        run.trainer.divergence = DivergenceDetector(growthFactor: 0.5)
        run.trainer.checkpointing = CheckpointPolicy(store: CheckpointStore(directory: folder.url, keep: 5), everyEpochs: 1, everySteps: 4)
        var seen: [String] = []
        run.trainer.callbacks = [recorder { if !$0.hasPrefix("s") { seen.append($0) } }]
        let result = try run.trainer.fit(epochs: 5, training: run.training, validation: run.validation)
        let divergence = try #require(result.divergence)
        #expect(result.stopReason == .diverged && divergence.epoch == 2 && divergence.step == 12 && result.history.epochs.count == 2)
        #expect(close([divergence.loss, divergence.reference ?? .nan], [0.6285612290226851, 0.6731396722442669]))
        #expect(run.trainer.state.position == LoaderPosition(epoch: 1, batchIndex: 6) && run.trainer.state.finished == nil)
        #expect(seen == ["fit", "E1", "end1", "E2", "done:diverged"])
        #expect(names(run.trainer.writtenCheckpoints) == ["checkpoint-000000004.ckpt", "checkpoint-000000006.ckpt", "checkpoint-000000008.ckpt"])
    }

    /// A time limit that has passed stops after the first step, and the checkpoint policy saves it
    /// there (as the fit before the policies did: stop, then `writeCheckpoint()`).
    @Test func theTimeLimitStopsWithACheckpoint() throws {
        let folder = try TemporaryFolder()
        let run = try MoonsRun<Double>()
        run.trainer.timeLimit = 0
        run.trainer.checkpointing = CheckpointPolicy(store: CheckpointStore(directory: folder.url), everyEpochs: 1)
        let result = try run.trainer.fit(epochs: 5, training: run.training)
        #expect(result.stopReason == .timeLimit && result.history.steps.count == 1)
        #expect(names(run.trainer.writtenCheckpoints) == ["checkpoint-000000001.ckpt"])
    }

    /// Early stopping, checkpoints (every 4 steps, every 2 epochs, the best) and the divergence
    /// detector together. Every expected value was recorded from the fit before the policies
    /// (67e7987) with this configuration; the test run matched them bit for bit on that machine.
    @Test func aRunWithEveryPolicyHasTheSameHistoryAndCheckpointsAsBefore() throws {
        let folder = try TemporaryFolder()
        let store = CheckpointStore(directory: folder.url, keep: 3)
        let run = try MoonsRun<Double>(dropout: 0.2)
        run.trainer.earlyStopping = EarlyStopping(monitor: "validation.loss", patience: 2)
        run.trainer.checkpointing = CheckpointPolicy(store: store, everyEpochs: 2, everySteps: 4, bestMonitor: "validation.loss")
        #expect(run.trainer.divergence == DivergenceDetector(growthFactor: 10))
        var seen: [String] = []
        run.trainer.callbacks = [recorder { if !$0.hasPrefix("s") { seen.append($0) } }]
        let result = try run.trainer.fit(epochs: 30, training: run.training, validation: run.validation)

        // The best validation loss is epoch 7's; epochs 8 and 9 do not improve on it (patience 2).
        #expect(result.stopReason == .earlyStopping && result.epochs == 9 && result.history.steps.count == 54 && result.divergence == nil)
        #expect(close(result.history.epochs.map { $0.validation!["loss"]! },
                      [0.6659619208409643, 0.638425531413805, 0.6023796385690416, 0.5630135907940969, 0.5360764727325351,
                       0.5264139224914156, 0.5190537868383179, 0.5262979870136023, 0.5369076940531782]))
        #expect(close(result.history.epochs.map(\.meanBatchLoss),
                      [0.6999934919467087, 0.6664128209245824, 0.6143424026896257, 0.547251667703389, 0.467641645744392,
                       0.42030271887156395, 0.3495618157971476, 0.29994831014412343, 0.27101028839553826]))
        #expect(close(result.history.steps.prefix(6).map(\.batchLoss),
                      [0.7296584421893326, 0.7631099847466338, 0.6339172299031173, 0.6952109612116288, 0.6904703993813087, 0.6875939342482301]))
        let state = run.trainer.state
        #expect(state.position == LoaderPosition(epoch: 9, batchIndex: 0) && state.finished == .earlyStopping)
        #expect(state.earlyStopping?.bestEpoch == 7 && state.earlyStopping?.wait == 2)
        #expect(close([state.divergence?.reference ?? .nan, state.bestMonitored ?? .nan], [0.6999934919467087, 0.5190537868383179]))
        #expect(seen == ["fit"] + (1...9).flatMap { ["E\($0)", "end\($0)"] } + ["done:early-stopping"])
        // Every 4 steps within an epoch, after every epoch (everySteps is set), the newest 3 kept.
        #expect(names(run.trainer.writtenCheckpoints) == [4, 6, 8, 12, 16, 18, 20, 24, 28, 30, 32, 36, 40, 42, 44, 48, 52, 54].map(CheckpointStore.fileName(step:)))
        #expect(names(store.checkpointFiles()) == [54, 52, 48].map(CheckpointStore.fileName(step:)))
        let final = try TrainingCheckpoint<Double>(contentsOf: store.checkpointFiles()[0])
        let midEpoch = try TrainingCheckpoint<Double>(contentsOf: store.checkpointFiles()[1])
        let best = try TrainingCheckpoint<Double>(contentsOf: store.bestFile)
        #expect(final.trainer.finished == .earlyStopping && final.trainer.earlyStopping?.wait == 2 && final.bestWeights != nil)
        #expect(midEpoch.trainer.position == LoaderPosition(epoch: 8, batchIndex: 4) && midEpoch.trainer.earlyStopping?.wait == 1)
        #expect(midEpoch.trainer.epochBatchCount == 4 && midEpoch.trainer.epochSeconds > 0)
        #expect(best.trainer.step == 42 && best.trainer.history.epochs.count == 7 && best.trainer.finished == nil)
        // The weights put back are epoch 7's, the ones `best.ckpt` holds.
        #expect(run.model.stateArchive() == best.model)

        // The policies only watch and save: the same run without checkpoints and divergence
        // detection trains exactly the same.
        let plain = try MoonsRun<Double>(dropout: 0.2)
        plain.trainer.earlyStopping = EarlyStopping(monitor: "validation.loss", patience: 2)
        plain.trainer.divergence = nil
        let plainResult = try plain.trainer.fit(epochs: 30, training: plain.training, validation: plain.validation)
        #expect(plainResult.history.steps == result.history.steps && bits(plain.parameters) == bits(run.parameters))
        #expect(plainResult.history.epochs.map(\.validation) == result.history.epochs.map(\.validation))
    }

    /// `Fixtures/moons-double-step9-67e7987.ckpt` was written by the fit before the policies
    /// (67e7987): this run, with early stopping (patience 10) and a one-cycle schedule, stopped at
    /// step 9 (epoch 2, batch 3) by `trainer.requestStop()`. Resuming it now continues to the end;
    /// the expected values are those that 67e7987 printed when it resumed the same file.
    @Test func aCheckpointWrittenBeforeThePoliciesResumes() throws {
        let url = try #require(Bundle.module.url(forResource: "moons-double-step9-67e7987", withExtension: "ckpt", subdirectory: "Fixtures"))
        let checkpoint = try TrainingCheckpoint<Double>(contentsOf: url)
        #expect(checkpoint.trainer.step == 9 && checkpoint.trainer.position == LoaderPosition(epoch: 1, batchIndex: 3))
        let run = try MoonsRun<Double>(dropout: 0.2, schedule: "one-cycle(maxLearningRate: 0.05, totalSteps: 18)")
        run.trainer.earlyStopping = EarlyStopping(monitor: "validation.loss", patience: 10)
        try run.trainer.restore(from: checkpoint)
        let result = try run.trainer.fit(epochs: 3, training: run.training, validation: run.validation)
        #expect(result.stopReason == .completed && result.epochs == 3 && result.history.steps.count == 18)
        #expect(Array(result.history.steps.prefix(9)) == checkpoint.trainer.history.steps)
        #expect(close(result.history.steps.suffix(9).map(\.batchLoss),
                      [0.5109158220939314, 0.4125127324582524, 0.4353053072385763, 0.4206918284468881, 0.3389847513431777,
                       0.2049137487274559, 0.3629396934793542, 0.39396256611969316, 0.6887857655644815]))
        #expect(close(result.history.epochs.map { $0.validation!["loss"]! }, [0.6346751465670214, 0.5323461412066399, 0.5259852806056136]))
        #expect(close(result.history.epochs.map { $0.train["loss"]! }, [0.6238631610179869, 0.3836315395700414, 0.3427957066173478]))
        #expect(run.trainer.state.earlyStopping?.bestEpoch == 3 && run.trainer.state.finished == .completed)
        #expect(close(run.parameters[3], [0.13198317735170143, -0.007356911321884871]))
    }
}
