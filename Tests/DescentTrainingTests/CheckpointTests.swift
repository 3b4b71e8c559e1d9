import DescentCore
import DescentData
import DescentNN
import DescentOptim
import DescentTraining
import Foundation
import Testing

@Suite struct CheckpointTests {
    @Test func fnv1aMatchesThePublishedTestVectors() {
        // From the FNV reference test suite (isthe.com/chongo/src/fnv/test_fnv.c): FNV-1a 64 of "", "a", "foobar".
        #expect(fnv1a64(Data()) == 0xcbf2_9ce4_8422_2325)
        #expect(fnv1a64(Data("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
        #expect(fnv1a64(Data("foobar".utf8)) == 0x8594_4171_f739_67e8)
    }

    @Test func checkpointRoundTripsEveryPartExactly() throws {
        let run = try MoonsRun<Float>(dropout: 0.3, schedule: "cosine(tMax: 50)")
        run.trainer.earlyStopping = EarlyStopping(monitor: "validation.loss", patience: 3)
        run.trainer.configuration = "{\"seed\": 3}"
        run.trainer.callbacks.append(ClosureCallback(batchDidEnd: { if $0.step == 9 { run.trainer.requestStop() } }))
        _ = try run.trainer.fit(epochs: 3, training: run.training, validation: run.validation)
        let checkpoint = run.trainer.makeCheckpoint()
        let decoded = try TrainingCheckpoint<Float>(data: checkpoint.encoded())
        #expect(decoded.model == checkpoint.model)
        #expect(decoded.bestWeights == checkpoint.bestWeights && decoded.bestWeights != nil)
        #expect(decoded.optimizer == checkpoint.optimizer)
        #expect(decoded.trainer == checkpoint.trainer)
        #expect(decoded.generators == checkpoint.generators && decoded.generators.count == 1)
        #expect(decoded.configuration == "{\"seed\": 3}")
        #expect(decoded.trainer.position == LoaderPosition(epoch: 1, batchIndex: 3) && decoded.trainer.step == 9)
        #expect(throws: CheckpointError.self) { try TrainingCheckpoint<Double>(data: checkpoint.encoded()) }
    }

    /// Interrupting a run at any step and resuming it in a new trainer (new model, new optimizer,
    /// built from the same seed) ends with exactly the bits of the uninterrupted run: Adam's
    /// moments, the schedule, the loader position and the dropout generators all come back.
    @Test(arguments: [1, 5, 6, 7, 13, 17])
    func resumingAfterAnyStepIsBitExact(stopStep: Int) throws {
        try check(Float.self)
        try check(Double.self)
        func check<Scalar: TensorScalar>(_: Scalar.Type) throws {
            let make = { try MoonsRun<Scalar>(dropout: 0.2, schedule: "one-cycle(maxLearningRate: 0.05, totalSteps: 18)") }
            let whole = try make()
            whole.trainer.earlyStopping = EarlyStopping(monitor: "validation.loss", patience: 10)
            _ = try whole.trainer.fit(epochs: 3, training: whole.training, validation: whole.validation)

            let folder = try TemporaryFolder()
            let first = try make()
            first.trainer.earlyStopping = EarlyStopping(monitor: "validation.loss", patience: 10)
            first.trainer.checkpointing = CheckpointPolicy(store: CheckpointStore(directory: folder.url), everyEpochs: 1)
            first.trainer.callbacks.append(ClosureCallback(batchDidEnd: { if $0.step == stopStep { first.trainer.requestStop() } }))
            let stopped = try first.trainer.fit(epochs: 3, training: first.training, validation: first.validation)
            #expect(stopped.stopReason == .interrupted)

            let second = try make()
            let latest = try #require(CheckpointStore(directory: folder.url).latest(as: Scalar.self))
            #expect(latest.checkpoint.trainer.step == stopStep && latest.problems.isEmpty)
            try second.trainer.restore(from: latest.checkpoint)
            let result = try second.trainer.fit(epochs: 3, training: second.training, validation: second.validation)
            #expect(result.stopReason == .completed)
            #expect(whole.parameters.map { $0.map { Double($0).bitPattern } } == second.parameters.map { $0.map { Double($0).bitPattern } })
            #expect(result.history.steps == whole.trainer.state.history.steps)
            #expect(result.history.epochs.map(\.train) == whole.trainer.state.history.epochs.map(\.train))
            #expect(result.history.epochs.map(\.validation) == whole.trainer.state.history.epochs.map(\.validation))
        }
    }

    @Test func storeKeepsTheNewestAndTheBest() throws {
        let folder = try TemporaryFolder()
        let run = try MoonsRun<Float>()
        let store = CheckpointStore(directory: folder.url, keep: 2)
        run.trainer.checkpointing = CheckpointPolicy(store: store, everyEpochs: 1, bestMonitor: "validation.loss")
        let result = try run.trainer.fit(epochs: 4, training: run.training, validation: run.validation)
        // 6 steps per epoch: epochs end at steps 6, 12, 18, 24; the newest two are kept.
        #expect(store.checkpointFiles().map(\.lastPathComponent) == ["checkpoint-000000024.ckpt", "checkpoint-000000018.ckpt"])
        let best = try TrainingCheckpoint<Float>(contentsOf: store.bestFile)
        let losses = result.history.epochs.map { $0.validation!["loss"]! }
        let bestEpoch = losses.indices.min { losses[$0] < losses[$1] }! + 1
        #expect(best.trainer.history.epochs.count == bestEpoch && best.trainer.bestMonitored == losses.min())
    }

    @Test func aCorruptedOrTruncatedCheckpointIsReportedAndThePreviousOneUsed() throws {
        let folder = try TemporaryFolder()
        let run = try MoonsRun<Float>()
        let store = CheckpointStore(directory: folder.url, keep: 3)
        run.trainer.checkpointing = CheckpointPolicy(store: store, everyEpochs: 1)
        _ = try run.trainer.fit(epochs: 3, training: run.training)
        let files = store.checkpointFiles()
        #expect(files.count == 3)

        // Flip one byte in the middle of the newest file (inside the tensor data).
        var bytes = try Data(contentsOf: files[0])
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: files[0])
        #expect(throws: CheckpointError.self) { try TrainingCheckpoint<Float>(contentsOf: files[0]) }
        var latest = try #require(store.latest(as: Float.self))
        #expect(latest.url == files[1] && latest.checkpoint.trainer.step == 12)
        #expect(latest.problems.count == 1 && latest.problems[0].contains("checkpoint-000000018.ckpt") && latest.problems[0].contains("checksum"))

        // Truncate the second one too (as a crash during a non-atomic write would): fall back to the third.
        let second = try Data(contentsOf: files[1])
        try second.prefix(second.count - 100).write(to: files[1])
        latest = try #require(store.latest(as: Float.self))
        #expect(latest.url == files[2] && latest.checkpoint.trainer.step == 6 && latest.problems.count == 2)
        #expect(latest.problems[1].contains("truncated"))

        // Nothing readable: no checkpoint.
        try Data().write(to: files[2])
        #expect(store.latest(as: Float.self) == nil)
    }

    @Test func atomicWriteReplacesTheFileAndLeavesNoTemporaryFile() throws {
        let folder = try TemporaryFolder()
        let url = folder.url.appendingPathComponent("file.bin")
        try AtomicFile.write(Data("old".utf8), to: url)
        try AtomicFile.write(Data("new contents".utf8), to: url)
        #expect(try Data(contentsOf: url) == Data("new contents".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["file.bin"])
    }
}
