/// A ``DataLoader`` for one process of a data-parallel run: each epoch's order is the single-process
/// loader's, and this process takes its ``DistributedSampler`` share of it, cut into batches of the
/// loader's batch size (the batch size *per process*).
///
/// With `R` processes at batch `B/R` each, step k covers the same samples as step k of one process
/// at batch B, so the averaged gradient is the one-process gradient (up to the order of the sums).
///
///     let loader = DistributedLoader(DataLoader(train, batchSize: 16, shuffle: true, seed: 42),
///                                    sampler: try DistributedSampler(worldSize: 2, rank: rank))
///
/// - PyTorch: `DataLoader(dataset, batch_size, sampler=DistributedSampler(dataset, …))` with
///   `sampler.set_epoch(epoch)` before each epoch (here the epoch number is passed to each call).
public struct DistributedLoader<Source: Dataset>: BatchLoader {
    /// The element type of the batches.
    public typealias Scalar = Source.Scalar
    /// The single-process loader whose order is split.
    public let base: DataLoader<Source>
    /// This process's share.
    public let sampler: DistributedSampler

    /// The share `sampler` of `base`'s epochs.
    public init(_ base: DataLoader<Source>, sampler: DistributedSampler) {
        self.base = base
        self.sampler = sampler
    }

    /// This process's samples per epoch (`num_samples` of the sampler).
    public var samplesPerEpoch: Int { sampler.samplesPerProcess(of: base.samplesPerEpoch) }

    /// The rows of each batch: the base loader's batch size, at most this process's samples.
    public var resolvedBatchSize: Int {
        switch base.batchSize {
        case .samples(let n): return Swift.min(n, Swift.max(samplesPerEpoch, 1))
        case .fullBatch: return Swift.max(samplesPerEpoch, 1)
        }
    }

    /// `⌊S/B⌋` with the base loader's `dropLast`, else `⌈S/B⌉`, for this process's `S` samples.
    public var batchesPerEpoch: Int {
        var b = resolvedBatchSize
        if base.dropLast, case .samples(let n) = base.batchSize { b = n }
        let whole = samplesPerEpoch / b
        return base.dropLast || samplesPerEpoch % b == 0 ? whole : whole + 1
    }

    /// This process's sample positions of `epoch`, in the order served.
    public func indices(forEpoch epoch: Int) -> [Int] { sampler.indices(of: base.indices(forEpoch: epoch)) }

    /// This process's batches of `epoch`, from batch `batchIndex` on.
    /// - Throws: ``DataError`` for a negative `batchIndex`.
    public func batches(epoch: Int, startingAt batchIndex: Int) throws -> BatchIterator<Scalar> {
        guard batchIndex >= 0 else { throw DataError("the batch index to start from must be at least 0, got \(batchIndex)") }
        let producer = IndexBatchProducer(dataset: base.dataset, order: indices(forEpoch: epoch), batchSize: resolvedBatchSize,
                                          batchCount: batchesPerEpoch, next: batchIndex)
        return BatchIterator(producer: producer, position: LoaderPosition(epoch: epoch, batchIndex: batchIndex), prefetch: base.prefetch)
    }
}
