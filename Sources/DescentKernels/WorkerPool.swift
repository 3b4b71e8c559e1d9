import CDescentKernels

/// A persistent fork-join thread pool for splitting one computation across cores.
///
/// `run(parts:_:)` runs `body(part)` for every part and returns when all have finished. The
/// calling thread and the pool's threads claim parts in increasing order, so part 0 starts on
/// the caller at once, and a worker that wakes late (its core busy with another process) finds
/// the work already done instead of delaying the caller. Unlike `DispatchQueue.concurrentPerform`
/// the pool's threads stay awake for a short while after each job (spinning with `pause`, then
/// sleeping), so a fork-join between two jobs in quick succession costs far less than a kernel
/// wake-up (BENCHMARKS.md, "Design measurements", "Worker pool"). The GEMM driver uses the same
/// pool.
///
/// The pool uses at most ``threadCount`` threads (the caller included): the value of
/// ``GEMM/maximumThreadCount`` (environment variable `DESCENT_NUM_THREADS`). One job runs at a
/// time: a call made while another thread's job runs, or from inside a part, runs all its parts
/// on the calling thread, in order. Which thread runs a part varies from call to call, so split
/// work such that the result does not depend on it (e.g. disjoint outputs, never partial sums
/// combined in arrival order). The environment variable `DESCENT_POOL_SPIN` sets how many
/// `pause` instructions an idle worker spins through before sleeping; the default is 4096.
///
/// Every part runs under the caller's floating-point control word (x86 MXCSR: subnormal flushing
/// as set by `DenormalFlushing`, rounding) and the caller's ``GEMM/withInstructionSet(_:_:)``
/// level, which threads do not inherit, so a result does not depend on which thread computed it.
///
/// Equivalent to an OpenMP `parallel for` with a dynamic schedule of chunk size 1.
public enum WorkerPool {
    /// The most threads a job may use, the calling thread included (``GEMM/maximumThreadCount``).
    public static var threadCount: Int { GEMM.maximumThreadCount }

    /// How many parts of the jobs this thread started (``run(parts:_:)``, the GEMM driver's
    /// products) ran on a pool worker rather than on this thread, since the thread started.
    /// Tests read it before and after some work to prove that a second thread really ran a part
    /// of it (parts run one after another on the caller, as with one thread or a busy pool, do
    /// not count). Counted per calling thread, so work started by other threads never adds to it.
    public static var partsRunByWorkers: Int { descent_parallel_parts_run_by_workers() }

    /// Runs `body(part)` once for each `part` in `0..<parts`, spread over the pool's threads,
    /// and returns when every part has finished.
    ///
    /// - Parameters:
    ///   - parts: How many parts; `0` or fewer runs nothing, `1` runs `body(0)` on the caller.
    ///   - body: The work of one part. Parts run concurrently, so each must write memory no
    ///     other part reads or writes. A part must not wait for a higher-numbered part (it may
    ///     not have started); it may wait for lower ones, which have all been claimed.
    public static func run(parts: Int, _ body: (Int) -> Void) {
        if parts <= 0 { return }
        if parts == 1 || threadCount == 1 {
            for part in 0..<parts { body(part) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var closure = body
            withUnsafeMutablePointer(to: &closure) { pointer in
                descent_parallel_run(parts, { context, part in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(part)
                }, pointer)
            }
        }
    }

    /// Runs `body` with every ``run(parts:_:)`` it makes on this thread (and every product it
    /// multiplies) executing its parts on this thread alone. Background threads such as a data
    /// loader's prefetch use it: the pool runs one job at a time, and a job started from there
    /// would make the training thread's products run on one thread meanwhile.
    public static func runningSerially<Result>(_ body: () throws -> Result) rethrows -> Result {
        let previous = descent_parallel_set_serial_only(1)
        defer { _ = descent_parallel_set_serial_only(previous) }
        return try body()
    }
}
