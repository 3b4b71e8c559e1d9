import CDescentKernels

/// Copies chosen rows of a row-major buffer into a contiguous one: how the data loader builds a
/// shuffled mini-batch (`x[indices]` in NumPy and PyTorch, `torch.index_select(x, 0, indices)`).
///
/// One `memcpy` per row, with the cache lines of the rows a few kilobytes ahead prefetched while
/// the current row is copied, so the DRAM misses of randomly placed rows overlap (gather.c).
/// Gathers of at least ``minimumBytesToSplit`` bytes are split across the ``WorkerPool``: the
/// copy waits on memory latency (random rows, TLB misses), so two threads keep twice the misses
/// in flight and a large batch's gather takes markedly less time (BENCHMARKS.md, "Design
/// measurements", "Batch gather").
public enum RowGather {
    /// The smallest gather split across threads: 256 KiB (an MLP batch of 128 MNIST rows is
    /// 392 KiB and gains from the split; at batch 32, 98 KiB, it measured no faster).
    nonisolated(unsafe) public static var minimumBytesToSplit = 1 << 18

    /// The most bytes of rows ``prefetchRows(of:rowBytes:indices:)`` asks for: 64 KiB (an MLP batch
    /// of 20 MNIST rows), so a prefetch never pushes a step's weights out of a 1 MB L2 cache.
    /// Larger batches prefetch ahead inside their own gather.
    public static let prefetchLimitBytes = 1 << 16

    /// Starts loading the rows at `indices` of `source` into the caches (software prefetch, up to
    /// ``prefetchLimitBytes``) and returns at once: the data loader calls it for the next batch,
    /// so a small batch's gather finds its rows in cache instead of waiting on DRAM.
    /// - Precondition: every index is within `source`.
    public static func prefetchRows(of source: UnsafeRawPointer, rowBytes: Int, indices: UnsafeBufferPointer<Int>) {
        guard let first = indices.baseAddress, rowBytes > 0 else { return }
        descent_prefetch_rows(source, rowBytes, first, indices.count, prefetchLimitBytes)
    }

    /// Copies row `indices[i]` of `source` to row `i` of `destination`, each `rowBytes` bytes.
    /// - Precondition: every index is within `source` (callers validate user input first) and
    ///   the buffers do not overlap.
    public static func copyRows(
        from source: UnsafeRawPointer, rowBytes: Int, indices: UnsafeBufferPointer<Int>,
        to destination: UnsafeMutableRawPointer
    ) {
        guard let first = indices.baseAddress, rowBytes > 0 else { return }
        let parts = rowBytes * indices.count >= ThreadSetting.gatherMinimumBytes.value(otherwise: minimumBytesToSplit) ? WorkerPool.threadCount : 1
        if parts <= 1 {
            descent_gather_rows(destination, source, rowBytes, first, indices.count)
            return
        }
        let count = indices.count
        WorkerPool.run(parts: parts) { part in
            let lower = count * part / parts, upper = count * (part + 1) / parts
            descent_gather_rows(destination + lower * rowBytes, source, rowBytes, first + lower, upper - lower)
        }
    }
}
