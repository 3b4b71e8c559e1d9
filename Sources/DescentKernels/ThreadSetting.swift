import CDescentKernels

/// A tuning threshold that the calling thread can override for itself, without changing it for
/// code on other threads (`descent_thread_setting` keeps one thread-local value per case).
///
/// Tests lower thresholds such as ``ParallelKernels/minimumCountPerPart`` to reach a split with
/// small inputs; Swift Testing runs the suites of every module in one process at once, so a
/// process-wide change would also change what the tests running beside them do. Each threshold is
/// read on the thread that starts the split, so an override there covers the whole split.
@usableFromInline
package enum ThreadSetting: Int32, Sendable {
    /// ``ParallelKernels/minimumCountPerPart``.
    case parallelMinimumCount = 0
    /// ``ParallelKernels/minimumColumnsPerPart``.
    case parallelMinimumColumns = 1
    /// ``RowGather/minimumBytesToSplit``.
    case gatherMinimumBytes = 2
    /// DescentCompiled's `RowSplit.minimumWeights`.
    case rowSplitMinimumWeights = 3
    /// DescentCompiled's `RowSplit.minimumRows`.
    case rowSplitMinimumRows = 4
    /// ``GEMM/workPerThread``.
    case gemmWorkPerThread = 5

    /// The calling thread's override, or `processWide` when it has none.
    @inlinable @inline(__always)
    package func value(otherwise processWide: Int) -> Int {
        let value = descent_thread_setting(rawValue)
        return value >= 0 ? Int(value) : processWide
    }

    /// Runs `body` with this setting at `value` on the calling thread only.
    package func with<Result>(_ value: Int, _ body: () throws -> Result) rethrows -> Result {
        let saved = descent_set_thread_setting(rawValue, Swift.max(0, value))
        defer { descent_set_thread_setting(rawValue, saved) }
        return try body()
    }
}
