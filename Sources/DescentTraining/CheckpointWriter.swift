import Dispatch
import Foundation

/// Writes checkpoint files off the training thread, one write at a time.
///
/// The training thread takes the snapshot (``Trainer/makeCheckpoint()``: copies of the tensors
/// and the state, so training can go on changing its own) and hands it over with
/// ``submit(_:)``; a serial queue then encodes it, writes it, `fsync`s it and renames it into
/// place (``AtomicFile``). Only one write is in flight: ``submit(_:)`` first waits for the
/// previous one, and ``finish()`` waits for the last, so the files appear in the order they were
/// asked for and memory holds at most two snapshots. A write that fails leaves the files before
/// it as they were (the temporary file is removed, nothing is renamed or rotated); its error is
/// thrown by the next ``submit(_:)`` or ``finish()`` on the training thread.
///
/// With `inBackground == false` every job runs on the calling thread (the behaviour before the
/// writer existed, kept for comparison). PyTorch Lightning: `AsyncCheckpointIO`; Orbax:
/// `AsyncCheckpointer`.
final class CheckpointWriter: @unchecked Sendable {
    /// What a write produced: the periodic checkpoint files written (for ``Trainer/writtenCheckpoints``).
    typealias Job = @Sendable () throws -> [URL]

    /// Whether jobs run on the background queue.
    let inBackground: Bool
    private let queue = DispatchQueue(label: "descent.checkpoint-writer", qos: .utility)
    private let done = DispatchSemaphore(value: 0)
    /// Whether a background job has been started and not yet waited for (training thread only).
    private var pending = false
    /// The pending job's result, written by the queue before it signals `done`, read after the wait.
    private var outcome: Result<[URL], any Error> = .success([])

    /// A writer; `inBackground` says whether its jobs run off the calling thread.
    init(inBackground: Bool) { self.inBackground = inBackground }

    /// Waits for the previous write, then starts `job`. Returns the files the previous write
    /// produced (or, on the calling thread, those `job` produced).
    /// - Throws: the previous write's error (then `job` is not started), or `job`'s own error
    ///   when it runs on the calling thread.
    func submit(_ job: @escaping Job) throws -> [URL] {
        let finished = try finish()
        guard inBackground else { return try finished + job() }
        pending = true
        queue.async { [self] in
            outcome = Result { try job() }
            done.signal()
        }
        return finished
    }

    /// Waits for the write in flight, if any, and returns the files it wrote.
    /// - Throws: its error.
    func finish() throws -> [URL] {
        guard pending else { return [] }
        done.wait()
        pending = false
        let result = outcome
        outcome = .success([])
        return try result.get()
    }
}
