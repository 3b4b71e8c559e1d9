import DescentCore
import DescentData
import DescentNN
import DescentOptim
import DescentTraining
import Foundation
import Testing

/// Checkpoints edited with their checksum recomputed (issue 18): a checksum detects accidents,
/// not edits, so every field is checked before a trainer uses it. Each test edits one field of a
/// real checkpoint, re-encodes it (which recomputes the checksum), and expects a `CheckpointError`
/// or `OptimizerError` naming the field, where a trap or an endless loop used to follow.
@Suite struct HostileCheckpointTests {
    /// A checkpoint after 4 steps of a small run, re-read from its encoded bytes after `edit`.
    func edited(_ edit: (inout TrainingCheckpoint<Float>) -> Void) throws -> (MoonsRun<Float>, TrainingCheckpoint<Float>) {
        let run = try MoonsRun<Float>()
        run.trainer.callbacks.append(ClosureCallback(batchDidEnd: { if $0.step == 4 { run.trainer.requestStop() } }))
        _ = try run.trainer.fit(epochs: 2, training: run.training, validation: run.validation)
        var checkpoint = run.trainer.makeCheckpoint()
        edit(&checkpoint)
        return (try MoonsRun<Float>(), try TrainingCheckpoint<Float>(data: checkpoint.encoded()))
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch { return "\(error)" }
    }

    @Test func negativeBatchIndexIsRefusedNamingTheField() throws {
        let (fresh, checkpoint) = try edited { $0.trainer.position.batchIndex = -1 }
        let text = message { try fresh.trainer.restore(from: checkpoint) }
        #expect(text.contains("batchIndex is -1"), "\(text)")
    }

    @Test func stepCountsBeyondTheStatedMaximumAreRefused() throws {
        let (fresh, checkpoint) = try edited { $0.trainer.step = Int.max }
        let text = message { try fresh.trainer.restore(from: checkpoint) }
        #expect(text.contains("step is \(Int.max)") && text.contains("\(maximumStepCount)"), "\(text)")
    }

    @Test func optimizerStepOfIntMaxIsRefusedBeforeTheNextStepWouldOverflow() throws {
        let (fresh, checkpoint) = try edited { checkpoint in
            for name in checkpoint.optimizer.parameters.keys { checkpoint.optimizer.parameters[name]!.step = Int.max }
        }
        let text = message { try fresh.trainer.restore(from: checkpoint) }
        #expect(text.contains("saved step count \(Int.max)"), "\(text)")
    }

    @Test func negativeEpochIsRefused() throws {
        let (fresh, checkpoint) = try edited { $0.trainer.position.epoch = -3 }
        let text = message { try fresh.trainer.restore(from: checkpoint) }
        #expect(text.contains("epoch is -3"), "\(text)")
    }

    @Test func anUneditedCheckpointStillRestores() throws {
        let (fresh, checkpoint) = try edited { _ in }
        try fresh.trainer.restore(from: checkpoint)
        #expect(fresh.trainer.state.step == 4)
    }
}

/// The lock that gives an output folder one writer (issue 18).
@Suite struct OutputLockTests {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("descent-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func aSecondWriterIsRefusedNamingTheHolder() throws {
        let url = try folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let first = try OutputLock.acquire(url, holder: "descent train --output first")
        // flock locks belong to open file descriptions, so a second open in the same process conflicts too.
        var text = ""
        do { _ = try OutputLock.acquire(url, holder: "second") } catch { text = "\(error)" }
        #expect(text.contains("is in use by another run (process \(getpid()): descent train --output first)"), "\(text)")
        withExtendedLifetime(first) {}
    }

    @Test func theLockIsReleasedWithItsHolder() throws {
        let url = try folder()
        defer { try? FileManager.default.removeItem(at: url) }
        do { _ = try OutputLock.acquire(url, holder: "first") }
        _ = try OutputLock.acquire(url, holder: "second")  // the first was released when it went away
    }

    @Test func aPathThatIsAFileIsRefused() throws {
        let url = try folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let file = url.appendingPathComponent("taken")
        try Data("x".utf8).write(to: file)
        var text = ""
        do { _ = try OutputLock.acquire(file) } catch { text = "\(error)" }
        #expect(text.contains("is a file, not a folder"), "\(text)")
    }

    @Test func aReadOnlyFolderIsRefusedAndLeavesNoFile() throws {
        // Root writes into any folder; as root, OutputFaultTests (DescentCLITests) checks this in a
        // child process that runs as `nobody`.
        guard getuid() != 0 else { print("skipped as root: see OutputFaultTests.aReadOnlyFolderEndsInAMessageAndLeavesNothing"); return }
        let url = try folder()
        defer { chmod(url.path, 0o755); try? FileManager.default.removeItem(at: url) }
        chmod(url.path, 0o555)
        var text = ""
        do { _ = try OutputLock.acquire(url.appendingPathComponent("run")) } catch { text = "\(error)" }
        #expect(text.contains("cannot create the output folder"), "\(text)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: url.path).isEmpty)
    }
}
