import DescentCore

/// How many samples go into each batch.
///
/// `1` is stochastic gradient descent, ``fullBatch`` (or the dataset size) is batch gradient
/// descent, anything between is mini-batch gradient descent. An integer literal works: `batchSize: 32`.
public enum BatchSize: Equatable, Hashable, Sendable, Codable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// A fixed number of samples per batch.
    case samples(Int)
    /// The whole epoch in one batch (batch gradient descent).
    case fullBatch

    /// `batchSize: 32` means `.samples(32)`.
    public init(integerLiteral value: Int) { self = .samples(value) }

    /// `32` or `full`.
    public var description: String {
        switch self {
        case .samples(let n): return "\(n)"
        case .fullBatch: return "full"
        }
    }
}

/// Cuts a dataset into batches, in order or shuffled, epoch after epoch.
///
/// - Batches per epoch: `⌊M/B⌋` with `dropLast`, else `⌈M/B⌉`, where `M` is the samples per epoch
///   (the dataset size, or `sampleCount` when sampling with replacement) and `B` the batch size;
///   without `dropLast` the last batch has `M − B·⌊M/B⌋` samples.
/// - Shuffling: epoch `e` uses a fresh permutation from `RandomGenerator(seed: seed, stream: e)`,
///   so any epoch's order can be recomputed from the seed and the epoch number alone (which is what
///   a checkpoint needs), and is the same on every run and platform.
/// - Sampling with replacement draws each index uniformly from `0..<n`, independently
///   (`RandomSampler(replacement=True)`), again from the epoch's own generator.
/// - Batches are gathered with one `memcpy` per row, and by default the next batch is gathered on a
///   background queue while the current step runs (see ``BatchIterator``).
///
///     let loader = DataLoader(train, batchSize: 32, shuffle: true, seed: 42)
///     for epoch in 0..<10 {
///         let batches = loader.batches(epoch: epoch)
///         while let batch = try batches.next() { ... }
///     }
///
/// - PyTorch: `torch.utils.data.DataLoader(dataset, batch_size, shuffle, drop_last, generator)`
///   with `RandomSampler(replacement=..., num_samples=...)`.
public struct DataLoader<Source: Dataset>: BatchLoader {
    /// The element type of the batches.
    public typealias Scalar = Source.Scalar

    /// The dataset the batches come from.
    public let dataset: Source
    /// The batch size as given.
    public let batchSize: BatchSize
    /// Whether each epoch uses a fresh random order.
    public let shuffle: Bool
    /// Whether an incomplete last batch is left out.
    public let dropLast: Bool
    /// Whether samples are drawn independently with replacement.
    public let withReplacement: Bool
    /// The seed of the shuffling generator.
    public let seed: UInt64
    /// Whether the next batch is prepared in the background.
    public let prefetch: Bool
    /// The number of samples drawn per epoch.
    public let samplesPerEpoch: Int

    /// A loader over `dataset`.
    /// - Parameters:
    ///   - dataset: where the samples come from.
    ///   - batchSize: samples per batch, or `.fullBatch`. The default value is `1` (as PyTorch's
    ///     `batch_size=1`); mini-batches of 32–256 are usual.
    ///   - shuffle: a fresh random order each epoch. The default value is `false`.
    ///   - dropLast: leave out an incomplete last batch. The default value is `false`.
    ///   - withReplacement: draw samples independently with replacement (implies random order).
    ///     The default value is `false`.
    ///   - sampleCount: samples per epoch when drawing with replacement. The default value is `nil`
    ///     (the dataset size).
    ///   - seed: the seed for shuffling and sampling. The default value is `0`.
    ///   - prefetch: prepare the next batch on a background queue while the caller trains on this
    ///     one. The default value is `false` (PyTorch's `num_workers=0`): for data in memory,
    ///     gathering a batch costs less than waking another thread for it (BENCHMARKS.md, "Design
    ///     measurements", "No prefetch thread for data in memory"); turn it on for datasets whose
    ///     `batch(at:)` is slow, such as decoding files.
    /// - Precondition: a positive batch size and sample count (programmer errors; the CLI validates).
    public init(
        _ dataset: Source, batchSize: BatchSize = .samples(1), shuffle: Bool = false, dropLast: Bool = false,
        withReplacement: Bool = false, sampleCount: Int? = nil, seed: UInt64 = 0, prefetch: Bool = false
    ) {
        if case .samples(let n) = batchSize { precondition(n > 0, "DataLoader: batchSize must be positive, got \(n)") }
        precondition(sampleCount == nil || sampleCount! > 0, "DataLoader: sampleCount must be positive")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.withReplacement = withReplacement
        self.seed = seed
        self.prefetch = prefetch
        samplesPerEpoch = withReplacement ? (sampleCount ?? dataset.count) : dataset.count
    }

    /// The samples in each batch (the epoch size for `.fullBatch`). A batch size larger than the
    /// epoch serves the whole epoch as one batch (as PyTorch's `DataLoader` does), so no size,
    /// however large, allocates more than the epoch's rows.
    public var resolvedBatchSize: Int {
        switch batchSize {
        case .samples(let n): return Swift.min(n, Swift.max(samplesPerEpoch, 1))
        case .fullBatch: return Swift.max(samplesPerEpoch, 1)
        }
    }

    /// `⌊M/B⌋` with `dropLast`, else `⌈M/B⌉` (`len(loader)`), without overflow for any `B`.
    public var batchesPerEpoch: Int {
        // With `dropLast`, a batch larger than the epoch leaves no whole batch (PyTorch: 0 batches).
        var b = resolvedBatchSize
        if dropLast, case .samples(let n) = batchSize { b = n }
        let whole = samplesPerEpoch / b
        return dropLast || samplesPerEpoch % b == 0 ? whole : whole + 1
    }

    /// The sample positions of `epoch` in the order they are served (before cutting into batches).
    public func indices(forEpoch epoch: Int) -> [Int] {
        let n = dataset.count
        guard shuffle || withReplacement else { return Array(0..<n) }
        var generator = RandomGenerator(seed: seed, stream: UInt64(truncatingIfNeeded: epoch))
        if withReplacement {
            guard n > 0 else { return [] }
            return (0..<samplesPerEpoch).map { _ in generator.nextIndex(below: n) }
        }
        return generator.permutation(n)
    }

    /// The batches of `epoch`, from batch `batchIndex` on. The default value of `batchIndex` is `0`.
    public func batches(epoch: Int, startingAt batchIndex: Int = 0) -> BatchIterator<Scalar> {
        precondition(batchIndex >= 0, "DataLoader: batchIndex must be ≥ 0")
        let producer = IndexBatchProducer(
            dataset: dataset, order: indices(forEpoch: epoch), batchSize: resolvedBatchSize,
            batchCount: batchesPerEpoch, next: batchIndex)
        return BatchIterator(producer: producer, position: LoaderPosition(epoch: epoch, batchIndex: batchIndex), prefetch: prefetch)
    }
}

/// Gathers consecutive slices of an epoch's order from a random-access dataset.
final class IndexBatchProducer<Source: Dataset>: BatchProducer {
    let dataset: Source
    let order: [Int]
    let batchSize: Int
    let batchCount: Int
    var next: Int

    /// The dataset, if it can prefetch rows (looked up once, not per batch).
    let prefetcher: (any RowPrefetching)?

    init(dataset: Source, order: [Int], batchSize: Int, batchCount: Int, next: Int) {
        self.dataset = dataset
        self.order = order
        self.batchSize = batchSize
        self.batchCount = batchCount
        self.next = next
        prefetcher = dataset as? any RowPrefetching
    }

    @_specialize(exported: false, where Source == TensorDataset<Float>)
    @_specialize(exported: false, where Source == TensorDataset<Double>)
    func produceNext() throws -> Batch<Source.Scalar>? {
        guard next < batchCount else { return nil }
        let start = next * batchSize
        let end = Swift.min(start + batchSize, order.count)
        next += 1
        let batch = try dataset.batch(at: Array(order[start..<end]))
        // The batch after this one is known: have its rows on their way into the caches while
        // this batch trains (small batches only; see `RowPrefetching`).
        if let prefetcher, next < batchCount {
            prefetcher.prefetchRows(at: order[end..<Swift.min(end + batchSize, order.count)])
        }
        return batch
    }
}
