import DescentCore
import DescentData
import DescentNN
import DescentOptim
@testable import DescentTraining
import Dispatch
import Foundation
import Testing

/// The newest optimizer step the training thread has finished, shared with the checkpoint writer's
/// thread (`Int.max` once `fit` is ending, so a write of the last step does not wait for another).
private final class StepClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    var step: Int {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }
    /// A callback that moves the clock after every step and at the end of `fit`.
    var callback: ClosureCallback {
        ClosureCallback(batchDidEnd: { self.step = $0.step }, fitDidEnd: { _ in self.step = .max })
    }
}

/// What the checkpoint writes saw, recorded from the writer's thread.
private final class WriteLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(offTrainingThread: Bool, sawALaterStep: Bool)] = []
    func append(offTrainingThread: Bool, sawALaterStep: Bool) { lock.withLock { entries.append((offTrainingThread, sawALaterStep)) } }
    var all: [(offTrainingThread: Bool, sawALaterStep: Bool)] { lock.withLock { entries } }
}

private func names(_ urls: [URL]) -> [String] { urls.map(\.lastPathComponent) }

/// The checkpoint schedules (time, epochs, steps, the end of `fit`), the background writer, the
/// best snapshot kept in memory, a failed write, and the time accounting of ``FitResult``.
/// The moons run has 6 steps per epoch (90 training samples in batches of 16).
@Suite struct CheckpointScheduleTests {
    /// Without a schedule the policy writes every 60 s of training and at the end: a 3-epoch run
    /// (well under a minute) writes one checkpoint, after its last step, and `best.ckpt` with it,
    /// holding the best epoch as it was then (the same file a checkpoint after every epoch, on the
    /// training thread, writes). Until that write the best snapshot is only in memory.
    @Test func theDefaultScheduleWritesAtTheEndWithTheBestEpoch() throws {
        let folder = try TemporaryFolder()
        let store = CheckpointStore(directory: folder.url)
        let policy = CheckpointPolicy(store: store, bestMonitor: "validation.loss")
        #expect(policy.everySeconds == 60 && policy.everyEpochs == nil && policy.everySteps == nil && policy.writesInBackground)
        let run = try MoonsRun<Double>()
        run.trainer.checkpointing = policy
        var bestFileExisted: [Bool] = []
        run.trainer.callbacks = [ClosureCallback(epochDidBegin: { _ in bestFileExisted.append(FileManager.default.fileExists(atPath: store.bestFile.path)) })]
        let result = try run.trainer.fit(epochs: 3, training: run.training, validation: run.validation)
        #expect(result.stopReason == .completed)
        #expect(names(run.trainer.writtenCheckpoints) == ["checkpoint-000000018.ckpt"])
        #expect(bestFileExisted == [false, false, false])  // epoch 1 improves on nothing-so-far, yet nothing is written before the end

        let reference = try MoonsRun<Double>()
        let referenceFolder = try TemporaryFolder()
        reference.trainer.checkpointing = CheckpointPolicy(store: CheckpointStore(directory: referenceFolder.url), everyEpochs: 1,
                                                           bestMonitor: "validation.loss", writesInBackground: false)
        _ = try reference.trainer.fit(epochs: 3, training: reference.training, validation: reference.validation)
        let best = try TrainingCheckpoint<Double>(contentsOf: store.bestFile)
        let referenceBest = try TrainingCheckpoint<Double>(contentsOf: CheckpointStore(directory: referenceFolder.url).bestFile)
        let losses = result.history.epochs.map { $0.validation!["loss"]! }
        let bestEpoch = losses.indices.min { losses[$0] < losses[$1] }! + 1
        #expect(best.trainer.step == 6 * bestEpoch && best.trainer.bestMonitored == losses.min())
        #expect(best.model == referenceBest.model && best.optimizer == referenceBest.optimizer)
        #expect(best.trainer.history.steps == referenceBest.trainer.history.steps)
    }

    /// `everySeconds: 0` is due after every step: a checkpoint of every step (an epoch's last one
    /// after its evaluation), each written once, and a resume from the newest is bit for bit the
    /// uninterrupted run (the snapshots are taken on the training thread; only the writes are not).
    @Test func aTimeScheduleCheckpointsWithinEpochsAndResumesExactly() throws {
        let whole = try MoonsRun<Float>(dropout: 0.2, schedule: "cosine(tMax: 18)")
        _ = try whole.trainer.fit(epochs: 3, training: whole.training, validation: whole.validation)

        let folder = try TemporaryFolder()
        let first = try MoonsRun<Float>(dropout: 0.2, schedule: "cosine(tMax: 18)")
        first.trainer.checkpointing = CheckpointPolicy(store: CheckpointStore(directory: folder.url, keep: 20), everySeconds: 0)
        first.trainer.callbacks = [ClosureCallback(batchDidEnd: { if $0.step == 9 { first.trainer.requestStop() } })]
        let stopped = try first.trainer.fit(epochs: 3, training: first.training, validation: first.validation)
        #expect(stopped.stopReason == .interrupted)
        #expect(names(first.trainer.writtenCheckpoints) == (1...9).map(CheckpointStore.fileName(step:)))
        #expect(names(CheckpointStore(directory: folder.url).checkpointFiles()) == (1...9).reversed().map(CheckpointStore.fileName(step:)))

        let second = try MoonsRun<Float>(dropout: 0.2, schedule: "cosine(tMax: 18)")
        try second.trainer.restore(from: try #require(CheckpointStore(directory: folder.url).latest(as: Float.self)).checkpoint)
        let result = try second.trainer.fit(epochs: 3, training: second.training, validation: second.validation)
        #expect(result.stopReason == .completed && bits(second.parameters) == bits(whole.parameters))
        #expect(result.history.steps == whole.trainer.state.history.steps)
        #expect(result.history.epochs.map(\.train) == whole.trainer.state.history.epochs.map(\.train))
        #expect(result.history.epochs.map(\.validation) == whole.trainer.state.history.epochs.map(\.validation))
    }

    /// Every write runs on another thread while training goes on: before writing, it waits until
    /// the training thread has finished a later step than the one it is writing (or `fit` is
    /// ending; the next checkpoint is due two steps later at the earliest, so a later step always
    /// comes while the write waits). Written on the training thread, as with `writesInBackground: false`, it could only
    /// time out, which the second half shows. The run trains exactly as one without checkpoints.
    @Test func checkpointWritesOverlapTheFollowingSteps() throws {
        func run(inBackground: Bool, timeout: Double) throws -> (log: [(offTrainingThread: Bool, sawALaterStep: Bool)], run: MoonsRun<Double>, files: [String]) {
            let folder = try TemporaryFolder()
            let clock = StepClock(), log = WriteLog()
            let trainingThread = pthread_self()
            var policy = CheckpointPolicy(store: CheckpointStore(directory: folder.url, keep: 20), everySteps: 2, writesInBackground: inBackground)
            policy.beforeWrite = { step in
                let deadline = Date().addingTimeInterval(timeout)
                while clock.step <= step && Date() < deadline { usleep(500) }
                log.append(offTrainingThread: pthread_equal(pthread_self(), trainingThread) == 0, sawALaterStep: clock.step > step)
            }
            let moons = try MoonsRun<Double>()
            moons.trainer.checkpointing = policy
            moons.trainer.callbacks = [clock.callback]
            _ = try moons.trainer.fit(epochs: 3, training: moons.training)
            return (log.all, moons, names(moons.trainer.writtenCheckpoints))
        }
        // Every 2 steps within an epoch and after every epoch (everySteps is set): 2, 4, 6, 8, …, 18.
        let expected = stride(from: 2, through: 18, by: 2).map(CheckpointStore.fileName(step:))
        let background = try run(inBackground: true, timeout: 20)
        #expect(background.files == expected && background.log.count == expected.count)
        #expect(background.log.allSatisfy { $0.offTrainingThread && $0.sawALaterStep })

        let plain = try MoonsRun<Double>()
        _ = try plain.trainer.fit(epochs: 3, training: plain.training)
        #expect(bits(background.run.parameters) == bits(plain.parameters))
        #expect(background.run.trainer.state.history.steps == plain.trainer.state.history.steps)

        let onTheTrainingThread = try run(inBackground: false, timeout: 0.05)
        #expect(onTheTrainingThread.files == expected)
        #expect(onTheTrainingThread.log.allSatisfy { !$0.offTrainingThread && !$0.sawALaterStep })
    }

    /// A write that fails (here the rename, onto a folder squatting the file name) stops the run
    /// with the error at the next checkpoint, leaves no temporary file, and the checkpoint before
    /// it is untouched and still the one to resume from.
    @Test func aFailedWriteIsReportedAndTheLastGoodCheckpointSurvives() throws {
        let folder = try TemporaryFolder()
        let store = CheckpointStore(directory: folder.url, keep: 3)
        let squatter = folder.url.appendingPathComponent(CheckpointStore.fileName(step: 12))
        try FileManager.default.createDirectory(at: squatter, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: squatter.appendingPathComponent("occupied"))
        let run = try MoonsRun<Double>()
        run.trainer.checkpointing = CheckpointPolicy(store: store, everyEpochs: 1)
        let error = try #require(throws: CheckpointError.self) { try run.trainer.fit(epochs: 4, training: run.training) }
        #expect(error.message.contains("cannot rename") && error.message.contains(CheckpointStore.fileName(step: 12)))
        // The failure surfaced when the next checkpoint (epoch 3's) was due: training went on meanwhile.
        #expect(run.trainer.state.step == 18 && names(run.trainer.writtenCheckpoints) == [CheckpointStore.fileName(step: 6)])
        let contents = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
        #expect(contents == [CheckpointStore.fileName(step: 6), CheckpointStore.fileName(step: 12)])  // no `.…tmp-…` left
        let latest = try #require(store.latest(as: Double.self))
        #expect(latest.checkpoint.trainer.step == 6 && latest.problems.count == 1)
    }

    /// A crash during a write leaves at most the temporary file it was writing, under another
    /// name (`AtomicFile` renames only a complete, synced file): the newest complete checkpoint is
    /// still the one found.
    @Test func anInterruptedWriteLeavesThePreviousCheckpointInPlace() throws {
        let folder = try TemporaryFolder()
        let store = CheckpointStore(directory: folder.url)
        let run = try MoonsRun<Double>()
        run.trainer.checkpointing = CheckpointPolicy(store: store, everyEpochs: 1)
        _ = try run.trainer.fit(epochs: 2, training: run.training)
        let newest = try Data(contentsOf: store.checkpointFiles()[0])
        // What a crash half-way through the next write would leave.
        try newest.prefix(newest.count / 2).write(to: folder.url.appendingPathComponent(".\(CheckpointStore.fileName(step: 18)).tmp-4242"))
        let latest = try #require(store.latest(as: Double.self))
        #expect(latest.checkpoint.trainer.step == 12 && latest.problems.isEmpty)
        #expect(names(store.checkpointFiles()) == [12, 6].map(CheckpointStore.fileName(step:)))
    }

    /// The seconds spent on checkpoints are not training time: with writes slowed to 40 ms each
    /// on the training thread, `checkpointSeconds` holds them and `seconds` does not; both add up
    /// to the call's wall time. In the background the training thread only waits for what is
    /// still unwritten. The evaluations are timed as parts of `seconds`.
    @Test func checkpointTimeIsCountedApartFromTrainingTime() throws {
        func run(inBackground: Bool?) throws -> (result: FitResult, wall: Double, written: Int) {
            let folder = try TemporaryFolder()
            let moons = try MoonsRun<Double>()
            if let inBackground {
                var policy = CheckpointPolicy(store: CheckpointStore(directory: folder.url), everyEpochs: 1, writesInBackground: inBackground)
                policy.beforeWrite = { _ in usleep(40_000) }
                moons.trainer.checkpointing = policy
            }
            let start = Date()
            let result = try moons.trainer.fit(epochs: 3, training: moons.training, validation: moons.validation)
            return (result, Date().timeIntervalSince(start), moons.trainer.writtenCheckpoints.count)
        }
        let none = try run(inBackground: nil)
        #expect(none.result.checkpointSeconds == 0 && none.written == 0)
        #expect(none.result.evaluationSeconds > 0 && none.result.validationSeconds > 0)
        #expect(none.result.evaluationSeconds + none.result.validationSeconds < none.result.seconds)

        for inBackground in [false, true] {
            let timed = try run(inBackground: inBackground)
            #expect(timed.written == 3)
            // The last write is waited for at the end either way: at least 40 ms of checkpoint time.
            #expect(timed.result.checkpointSeconds >= (inBackground ? 0.04 : 0.12), "inBackground: \(inBackground)")
            #expect(Swift.abs(timed.result.seconds + timed.result.checkpointSeconds - timed.wall) < 0.01, "inBackground: \(inBackground)")
            let epochSeconds = timed.result.history.epochs.map(\.seconds).reduce(0, +)
            #expect(epochSeconds < timed.result.seconds, "inBackground: \(inBackground)")
        }
    }
}
