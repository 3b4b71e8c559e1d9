/// Which samples of an epoch one process of a data-parallel run takes: the epoch's order split
/// across `worldSize` processes, interleaved.
///
/// - Sizes: `numSamples = ⌈M/R⌉` samples per process for an epoch order of `M` samples and `R`
///   processes; with ``dropLast`` and `M mod R ≠ 0`, `⌈(M − R)/R⌉` instead (the tail is dropped).
///   `totalSize = numSamples · R`.
/// - Padding (without ``dropLast``): the order is extended by wrapping around to its start
///   (repeated as often as needed when it is shorter than the padding), so every process gets the
///   same number of samples and the same number of steps.
/// - Subsample: process `r` takes positions `r, r + R, r + 2R, …` of the padded order. With a per-
///   process batch of B/R, step k of the R processes then covers exactly positions `k·B ..< (k+1)·B`
///   of the order: the global batch a single process at batch B sees.
/// - The order itself is the epoch's order from the single-process ``DataLoader`` (the permutation
///   of `RandomGenerator(seed, stream: epoch)`), so it depends on the seed and the epoch only.
///
/// - PyTorch: `torch.utils.data.distributed.DistributedSampler(dataset, num_replicas, rank,
///   shuffle, seed, drop_last)` with `set_epoch(epoch)`; the permutation is Descent's, not
///   `torch.randperm`'s.
public struct DistributedSampler: Equatable, Hashable, Sendable {
    /// The number of processes, `R ≥ 1`.
    public let worldSize: Int
    /// This process's rank, `0..<worldSize`.
    public let rank: Int
    /// Whether the tail that does not divide evenly is dropped instead of padded. The default
    /// value is `false` (PyTorch's `drop_last=False`).
    public let dropLast: Bool

    /// The sampler of process `rank` of `worldSize`.
    /// - Throws: ``DataError`` when `worldSize < 1` or `rank` is outside `0..<worldSize`.
    public init(worldSize: Int, rank: Int, dropLast: Bool = false) throws {
        guard worldSize >= 1 else { throw DataError("the world size must be at least 1, got \(worldSize)") }
        guard (0..<worldSize).contains(rank) else { throw DataError("the rank must be in 0…\(worldSize - 1), got \(rank)") }
        self.worldSize = worldSize
        self.rank = rank
        self.dropLast = dropLast
    }

    /// The samples each process takes from an epoch order of `count` samples (`num_samples`).
    public func samplesPerProcess(of count: Int) -> Int {
        if dropLast && count % worldSize != 0 { return Swift.max(count - worldSize, 0) / worldSize + (count > worldSize && (count - worldSize) % worldSize != 0 ? 1 : 0) }
        return count / worldSize + (count % worldSize == 0 ? 0 : 1)
    }

    /// This process's positions of `order` (the epoch's order of all samples), in the order served.
    public func indices(of order: [Int]) -> [Int] {
        let perProcess = samplesPerProcess(of: order.count)
        let total = perProcess * worldSize
        guard perProcess > 0, !order.isEmpty else { return [] }
        var result: [Int] = []
        result.reserveCapacity(perProcess)
        var position = rank
        while position < total {
            result.append(order[position % order.count])  // past the end: wrapped around (the padding)
            position += worldSize
        }
        return result
    }
}
