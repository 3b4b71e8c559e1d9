import CDescentKernels

/// Elementwise and bias kernels split across ``WorkerPool`` threads when the buffer is
/// large, with results bit-identical to the single-threaded kernels they call.
///
/// Elementwise work is split into disjoint index ranges whose bounds are multiples of
/// ``alignment`` elements, so each element goes through the same vector or scalar code as in
/// one call over the whole buffer. Reductions over rows (column sums, the bias gradient) are
/// split by columns, never by rows: each column is still summed from row 0 downwards, in the
/// order of the single-threaded kernel. Buffers smaller than two parts of
/// ``minimumCountPerPart`` elements run on the calling thread, without a fork-join.
///
/// Equivalent to PyTorch's intra-op parallelism (`at::parallel_for` with a grain size).
public enum ParallelKernels {
    /// The fewest elements one part gets; smaller buffers are not split. The default value is
    /// 32768 (128 KiB of Float per operand), where a memory-bound loop takes several times as long
    /// as the fork-join that splits it (BENCHMARKS.md, "Design measurements", "Elementwise
    /// split"). Tests lower it to reach the split paths.
    nonisolated(unsafe) public static var minimumCountPerPart = 1 << 15

    /// Range bounds are multiples of this many elements (64: a whole number of AVX-512 vectors
    /// and of every unrolled loop of the kernels).
    public static let alignment = 64

    /// How many parts `count` elements are split into: at most two per thread, each at least
    /// ``minimumCountPerPart`` elements; `1` means the calling thread does all the work.
    @inlinable
    public static func partCount(for count: Int) -> Int {
        let threads = WorkerPool.threadCount
        let minimum = Swift.max(ThreadSetting.parallelMinimumCount.value(otherwise: minimumCountPerPart), alignment)
        if threads <= 1 || count < 2 * minimum { return 1 }
        return Swift.max(1, Swift.min(2 * threads, count / minimum))
    }

    /// Runs `body(range)` over disjoint ranges covering `0..<count`, whose bounds (except `count`)
    /// are multiples of `alignment`, on the pool's threads; returns when all have finished.
    ///
    /// - Parameters:
    ///   - count: The number of elements.
    ///   - parts: How many ranges. The default value is ``partCount(for:)``.
    ///   - alignment: Range bounds are multiples of it. The default value is ``alignment``.
    ///   - body: The work on one range; ranges run concurrently.
    @inlinable
    public static func forEachRange(
        count: Int, parts: Int? = nil, alignment: Int = ParallelKernels.alignment, _ body: (Range<Int>) -> Void
    ) {
        let blocks = (count + alignment - 1) / Swift.max(alignment, 1)
        let parts = Swift.min(parts ?? partCount(for: count), blocks)
        if parts <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        WorkerPool.run(parts: parts) { part in
            let lower = Swift.min(count, blocks * part / parts * alignment)
            let upper = Swift.min(count, blocks * (part + 1) / parts * alignment)
            if lower < upper { body(lower..<upper) }
        }
    }

    /// ``ElementKernels/unary(_:_:_:count:)`` split across threads: `out[i] = op(x[i])`.
    ///
    /// - Parameters:
    ///   - operation: The function to apply. - x: `n` inputs. - out: `n` outputs (may be `x`).
    ///   - n: The element count.
    @inlinable
    public static func unary<T: KernelScalar>(
        _ operation: UnaryOperation, _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, count n: Int
    ) {
        forEachRange(count: n) { range in
            ElementKernels.unary(operation, x + range.lowerBound, out + range.lowerBound, count: range.count)
        }
    }

    /// ``ElementKernels/unaryDerivative(_:x:y:upstream:_:count:)`` split across threads.
    ///
    /// - Parameters:
    ///   - operation: The function whose derivative is applied.
    ///   - x: The forward inputs. - y: The forward outputs. - g: The upstream gradient.
    ///   - out: `n` outputs. - n: The element count.
    @inlinable
    public static func unaryDerivative<T: KernelScalar>(
        _ operation: UnaryOperation, x: UnsafePointer<T>, y: UnsafePointer<T>,
        upstream g: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, count n: Int
    ) {
        forEachRange(count: n) { range in
            let i = range.lowerBound
            ElementKernels.unaryDerivative(operation, x: x + i, y: y + i, upstream: g + i, out + i, count: range.count)
        }
    }

    /// ``ElementKernels/binary(_:_:lhsStride:_:rhsStride:_:count:)`` split across threads, for
    /// strides `1` (contiguous) and `0` (one broadcast value); other strides run on the caller.
    ///
    /// - Parameters:
    ///   - operation: The function to apply. - a, b: The operands.
    ///   - sa, sb: Their element strides. - out: `n` contiguous outputs. - n: The element count.
    @inlinable
    public static func binary<T: KernelScalar>(
        _ operation: BinaryOperation, _ a: UnsafePointer<T>, lhsStride sa: Int,
        _ b: UnsafePointer<T>, rhsStride sb: Int, _ out: UnsafeMutablePointer<T>, count n: Int
    ) {
        guard (sa == 0 || sa == 1) && (sb == 0 || sb == 1) else {
            ElementKernels.binary(operation, a, lhsStride: sa, b, rhsStride: sb, out, count: n)
            return
        }
        forEachRange(count: n) { range in
            let i = range.lowerBound
            ElementKernels.binary(operation, a + i * sa, lhsStride: sa, b + i * sb, rhsStride: sb, out + i, count: range.count)
        }
    }

    /// Copies `row` (`columns` values) into each of the `rows` rows of `out` (`rows × columns`):
    /// the bias a linear layer starts from before adding `x·Wᵀ` (`beta = 1`). Split by rows.
    ///
    /// - Parameters:
    ///   - row: The values of one row. - out: `rows × columns` outputs.
    ///   - rows, columns: The shape of `out`.
    @inlinable
    public static func fillRows<T: KernelScalar>(
        with row: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, rows: Int, columns: Int
    ) {
        let parts = columns > 0 ? partCount(for: rows * columns) : 1
        forEachRange(count: rows, parts: parts, alignment: 1) { range in
            for r in range { (out + r * columns).update(from: row, count: columns) }
        }
    }

    /// The column sums of `x` (`rows × columns`): `sums[j] = x[0, j] + x[1, j] + …`, bit-identical
    /// to ``ElementKernels/reduce(_:_:outer:length:inner:_:)`` with `.sum`, `outer: 1`,
    /// `length: rows`, `inner: columns` (the bias gradient). Split by columns.
    ///
    /// - Parameters:
    ///   - x: The input. - rows, columns: Its shape. - sums: `columns` outputs.
    @inlinable
    public static func columnSums<T: KernelScalar>(
        _ x: UnsafePointer<T>, rows: Int, columns: Int, _ sums: UnsafeMutablePointer<T>
    ) {
        let parts = columnParts(rows: rows, columns: columns)
        if parts <= 1 {
            ElementKernels.reduce(.sum, x, outer: 1, length: rows, inner: columns, sums)
            return
        }
        forEachRange(count: columns, parts: parts, alignment: 16) { range in
            let j0 = range.lowerBound, width = range.count
            let dst = sums + j0
            for j in 0..<width { dst[j] = rows > 0 ? x[j0 + j] : 0 }
            for r in 1..<Swift.max(rows, 1) where rows > 1 {
                let row = x + r * columns + j0
                for j in 0..<width { dst[j] += row[j] }
            }
        }
    }

    /// ``ElementKernels/reluDerivativeWithColumnSums(x:upstream:_:rows:columns:sums:)`` split by
    /// columns: `out = x > 0 ? g : 0` and the column sums of `out` in `sums`, bit-identical.
    ///
    /// - Parameters:
    ///   - x: The ReLU's inputs. - g: The upstream gradient. - out: `rows × columns` outputs.
    ///   - rows, columns: The block's shape. - sums: `columns` outputs.
    @inlinable
    public static func reluDerivativeWithColumnSums<T: KernelScalar>(
        x: UnsafePointer<T>, upstream g: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>,
        rows: Int, columns: Int, sums: UnsafeMutablePointer<T>
    ) {
        let parts = columnParts(rows: rows, columns: columns)
        if parts <= 1 || (T.self != Float.self && T.self != Double.self) {
            ElementKernels.reluDerivativeWithColumnSums(x: x, upstream: g, out, rows: rows, columns: columns, sums: sums)
            return
        }
        forEachRange(count: columns, parts: parts, alignment: 16) { range in
            let j = range.lowerBound
            if T.self == Float.self {
                descent_relu_backward_column_sums_strided_f32(
                    UnsafeRawPointer(x + j).assumingMemoryBound(to: Float.self), UnsafeRawPointer(g + j).assumingMemoryBound(to: Float.self),
                    UnsafeMutableRawPointer(out + j).assumingMemoryBound(to: Float.self), rows, range.count, columns,
                    UnsafeMutableRawPointer(sums + j).assumingMemoryBound(to: Float.self))
            } else {
                descent_relu_backward_column_sums_strided_f64(
                    UnsafeRawPointer(x + j).assumingMemoryBound(to: Double.self), UnsafeRawPointer(g + j).assumingMemoryBound(to: Double.self),
                    UnsafeMutableRawPointer(out + j).assumingMemoryBound(to: Double.self), rows, range.count, columns,
                    UnsafeMutableRawPointer(sums + j).assumingMemoryBound(to: Double.self))
            }
        }
    }

    /// Parts for a column split of `rows × columns`: by the element count, one per thread at
    /// most, each at least ``minimumColumnsPerPart`` columns wide.
    @inlinable
    static func columnParts(rows: Int, columns: Int) -> Int {
        Swift.min(partCount(for: rows * columns), WorkerPool.threadCount, columns / Swift.max(ThreadSetting.parallelMinimumColumns.value(otherwise: minimumColumnsPerPart), 16))
    }

    /// The narrowest column band a thread of a column split gets. The default value is 512:
    /// with two threads on 1024×256 (bands of 128 columns, each row read in pieces) the fused
    /// ReLU gradient was slower than on one thread, so such blocks stay on one thread
    /// (BENCHMARKS.md, "Design measurements", "Column split"). Tests lower it to reach the split
    /// path.
    nonisolated(unsafe) public static var minimumColumnsPerPart = 512
}
