import CDescentKernels

/// Copies chosen rows of a row-major buffer into a contiguous one: how the data loader builds a
/// shuffled mini-batch (`x[indices]` in NumPy and PyTorch, `torch.index_select(x, 0, indices)`).
///
/// One `memcpy` per row, with the cache lines of the rows a few kilobytes ahead prefetched while
/// the current row is copied, so the DRAM misses of randomly placed rows overlap (gather.c).
public enum RowGather {
    /// Copies row `indices[i]` of `source` to row `i` of `destination`, each `rowBytes` bytes.
    /// - Precondition: every index is within `source` (callers validate user input first) and
    ///   the buffers do not overlap.
    public static func copyRows(
        from source: UnsafeRawPointer, rowBytes: Int, indices: UnsafeBufferPointer<Int>,
        to destination: UnsafeMutableRawPointer
    ) {
        guard let first = indices.baseAddress, rowBytes > 0 else { return }
        descent_gather_rows(destination, source, rowBytes, first, indices.count)
    }
}
