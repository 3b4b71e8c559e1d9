import DescentCore
import Dispatch
import DescentKernels

/// Where a loader is in its passes over the data: the epoch and the next batch to read.
///
/// Save it in a checkpoint; ``DataLoader/batches(from:)`` resumes from it exactly, because each
/// epoch's order is a function of the seed and the epoch number alone.
public struct LoaderPosition: Equatable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The 0-based epoch.
    public var epoch: Int
    /// The 0-based index of the next batch within the epoch.
    public var batchIndex: Int

    /// A position at `batchIndex` of `epoch`. The default value of `batchIndex` is `0`.
    public init(epoch: Int, batchIndex: Int = 0) {
        self.epoch = epoch
        self.batchIndex = batchIndex
    }

    /// `epoch 3, batch 17`.
    public var description: String { "epoch \(epoch), batch \(batchIndex)" }
}

/// Something that hands out one epoch of batches: ``DataLoader`` and ``StreamingLoader``.
///
/// A trainer needs only this: how many batches an epoch has, and an iterator for an epoch that can
/// start part-way through (to resume from a checkpoint).
public protocol BatchLoader<Scalar>: Sendable {
    /// The element type of the batches.
    associatedtype Scalar: TensorScalar
    /// The number of batches in one epoch.
    var batchesPerEpoch: Int { get }
    /// The number of samples drawn in one epoch (before dropping an incomplete last batch).
    var samplesPerEpoch: Int { get }
    /// The batches of `epoch`, starting at batch `batchIndex`.
    func batches(epoch: Int, startingAt batchIndex: Int) throws -> BatchIterator<Scalar>
}

extension BatchLoader {
    /// The batches from a saved position.
    public func batches(from position: LoaderPosition) throws -> BatchIterator<Scalar> {
        try batches(epoch: position.epoch, startingAt: position.batchIndex)
    }
}

/// Makes the batches of one epoch in order. Called by one thread at a time (see ``BatchIterator``).
protocol BatchProducer<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar
    /// The next batch, or `nil` at the end of the epoch.
    func produceNext() throws -> Batch<Scalar>?
}

/// The batches of one epoch, read with `while let batch = try iterator.next()`.
///
/// With prefetching on, the iterator starts making batch k+1 on a background queue as soon as it
/// hands out batch k, so reading (or gathering) the next batch overlaps the training step. The
/// batches and their order are exactly those without prefetching: one producer makes them in
/// sequence, and only ever one job is in flight.
///
/// - PyTorch: the iterator of a `torch.utils.data.DataLoader` (`iter(loader)`); prefetching is
///   like `num_workers=1, prefetch_factor=1`, on a thread instead of a process.
public final class BatchIterator<Scalar: TensorScalar> {
    /// The position of the next batch this iterator returns.
    public private(set) var position: LoaderPosition
    private let producer: ProducerBox<Scalar>
    private let queue: DispatchQueue?
    private var pending: PendingBatch<Scalar>?
    /// The batch ``peek()`` made or took from `pending`, for the next ``next()``.
    private var peeked: Result<Batch<Scalar>?, any Error>?

    init(producer: some BatchProducer<Scalar>, position: LoaderPosition, prefetch: Bool) {
        self.producer = ProducerBox(producer)
        self.position = position
        queue = prefetch ? DispatchQueue(label: "descent.data.prefetch") : nil
    }

    /// The next batch, or `nil` after the last batch of the epoch.
    /// - Throws: ``DataError`` if the data could not be read.
    @_specialize(exported: false, where Scalar == Float)
    @_specialize(exported: false, where Scalar == Double)
    public func next() throws -> Batch<Scalar>? {
        let result: Result<Batch<Scalar>?, any Error>
        if let peeked {
            result = peeked
            self.peeked = nil
        } else if let pending {
            result = pending.wait()
            self.pending = nil
        } else {
            result = Result { try producer.produceNext() }
        }
        if let queue, case .success(.some) = result {
            // Start the next batch now; the caller trains on this one meanwhile.
            let job = PendingBatch<Scalar>()
            let producer = self.producer
            // Serially on that thread: the worker pool belongs to the training thread's products.
            queue.async { job.fulfil(Result { try WorkerPool.runningSerially { try producer.produceNext() } }) }
            pending = job
        }
        let batch = try result.get()
        if batch != nil { position.batchIndex += 1 }
        return batch
    }

    /// The batch the next ``next()`` call will return, without moving on (``position`` stays):
    /// made now, or taken from the prefetch, and kept for ``next()``. A training loop passes it to
    /// `CompiledStep`'s `trainStep(…, nextFeatures:)`. The batches and their order are the same
    /// as without peeking.
    /// - Throws: ``DataError`` if the data could not be read (``next()`` then throws it again).
    @_specialize(exported: false, where Scalar == Float)
    @_specialize(exported: false, where Scalar == Double)
    public func peek() throws -> Batch<Scalar>? {
        if peeked == nil {
            if let pending {
                peeked = pending.wait()
                self.pending = nil
            } else {
                peeked = Result { try producer.produceNext() }
            }
        }
        return try peeked!.get()
    }

    /// Calls `body` with each remaining batch in order.
    public func forEach(_ body: (Batch<Scalar>) throws -> Void) throws {
        while let batch = try next() { try body(batch) }
    }

    deinit {
        // Let an in-flight job finish so the producer is never used after the epoch is abandoned.
        _ = pending?.wait()
    }
}

/// Holds the producer for the prefetch queue. `@unchecked Sendable`: the iterator never runs two
/// `produceNext()` calls at once — it waits for the pending job before it starts another, and the
/// semaphore gives the happens-before edge between the threads.
private final class ProducerBox<Scalar: TensorScalar>: @unchecked Sendable {
    let produceNext: () throws -> Batch<Scalar>?
    init(_ producer: some BatchProducer<Scalar>) { produceNext = producer.produceNext }
}

/// One batch being made in the background. `@unchecked Sendable`: `result` is written once before
/// `signal()` and read only after `wait()`.
private final class PendingBatch<Scalar: TensorScalar>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Batch<Scalar>?, any Error> = .success(nil)
    private var waited = false

    func fulfil(_ value: Result<Batch<Scalar>?, any Error>) {
        result = value
        done.signal()
    }

    func wait() -> Result<Batch<Scalar>?, any Error> {
        if !waited { done.wait(); waited = true }
        return result
    }
}
