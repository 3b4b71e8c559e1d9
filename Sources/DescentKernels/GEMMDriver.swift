import CDescentKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Cache-blocking sizes of the packed GEMM: A blocks are `mc×kc` (kept in L2), B blocks are
/// `kc×nc` (kept in L3), and one `kc×NR` B micro-panel stays in L1 while the micro-kernel runs.
struct GEMMBlocking {
    var mc: Int
    var kc: Int
    var nc: Int
}

/// Float and Double: the C micro-kernel entry points and the tile and block sizes per ISA.
protocol PackedGEMMScalar: BinaryFloatingPoint, Sendable, SendableMetatype {
    static func tile(_ isa: Int32) -> (mr: Int, nr: Int)
    static func blocking(_ isa: Int32) -> GEMMBlocking
    static func macroKernel(
        _ isa: Int32, mc: Int, nc: Int, kc: Int, packedA: UnsafePointer<Self>, packedB: UnsafePointer<Self>,
        c: UnsafeMutablePointer<Self>, ldc: Int, alpha: Self, beta: Self)
    static func small(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

/// Reads `DESCENT_GEMM_BLOCKING=mc,kc,nc` (a tuning aid for benchmarks; unset in normal use).
private func blockingOverride() -> GEMMBlocking? {
    guard let text = getenv("DESCENT_GEMM_BLOCKING") else { return nil }
    let values = String(cString: text).split(separator: ",").compactMap { Int($0) }
    guard values.count == 3, values.allSatisfy({ $0 > 0 }) else { return nil }
    return GEMMBlocking(mc: values[0], kc: values[1], nc: values[2])
}

private let environmentBlocking = blockingOverride()

extension Float: PackedGEMMScalar {
    static func tile(_ isa: Int32) -> (mr: Int, nr: Int) {
        (Int(descent_sgemm_mr(isa)), Int(descent_sgemm_nr(isa)))
    }

    static func blocking(_ isa: Int32) -> GEMMBlocking {
        if let override = environmentBlocking { return override }
        // From sweeps of mc and kc at 256–2048 (Zen 5 for AVX-512; shared/native-deps.md for AVX2).
        return isa == DESCENT_ISA_AVX512
            ? GEMMBlocking(mc: 96, kc: 512, nc: 2048) : GEMMBlocking(mc: 120, kc: 512, nc: 2048)
    }

    static func macroKernel(
        _ isa: Int32, mc: Int, nc: Int, kc: Int, packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float
    ) {
        descent_sgemm_macro(isa, mc, nc, kc, packedA, packedB, c, ldc, alpha, beta)
    }

    static func small(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        descent_sgemm_small(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
}

extension Double: PackedGEMMScalar {
    static func tile(_ isa: Int32) -> (mr: Int, nr: Int) {
        (Int(descent_dgemm_mr(isa)), Int(descent_dgemm_nr(isa)))
    }

    static func blocking(_ isa: Int32) -> GEMMBlocking {
        if let override = environmentBlocking { return override }
        return isa == DESCENT_ISA_AVX512
            ? GEMMBlocking(mc: 48, kc: 512, nc: 2048) : GEMMBlocking(mc: 72, kc: 256, nc: 2048)
    }

    static func macroKernel(
        _ isa: Int32, mc: Int, nc: Int, kc: Int, packedA: UnsafePointer<Double>, packedB: UnsafePointer<Double>,
        c: UnsafeMutablePointer<Double>, ldc: Int, alpha: Double, beta: Double
    ) {
        descent_dgemm_macro(isa, mc, nc, kc, packedA, packedB, c, ldc, alpha, beta)
    }

    static func small(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        descent_dgemm_small(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
}

/// Pointers shared by the threads of one product (each thread writes a disjoint part of C or
/// of the packed B block, so sharing them is safe).
private struct SharedPointers<T>: @unchecked Sendable {
    var a: UnsafePointer<T>
    var b: UnsafePointer<T>
    var c: UnsafeMutablePointer<T>
    var packedB: UnsafeMutablePointer<T>
}

extension GEMM {
    /// Products with at most this many multiply-adds (`m·n·k`) skip packing.
    static let directPathLimit = 32 * 1024
    /// Multiply-adds each extra thread must get before a product is split. A split costs two
    /// ``WorkerPool`` fork-joins per (kc, nc) block (with `concurrentPerform`, which this used
    /// before, tens of microseconds on a 2-vCPU VM):
    /// with 2²¹ the MLP's batch-32 products (6.4M multiply-adds) went to two threads and a step
    /// ran 30% slower than on one thread; 2²³ keeps them on one and still splits batch ≥ 128.
    /// Tests lower it to reach the threaded paths with small shapes.
    nonisolated(unsafe) static var workPerThread = 1 << 23

    @inline(__always)
    static func blocked<T: PackedGEMMScalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
        beta: T, c: UnsafeMutablePointer<T>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM: negative dimension m=\(m) n=\(n) k=\(k)")
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            scale(c, ldc: ldc, rows: m, columns: n, by: beta)
            return
        }
        // GEMV-like shapes (a batch of one) and tiny products: packing would cost more than it saves.
        if m <= 4 || m * n * k <= directPathLimit {
            T.small(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let isa = descent_isa_current()
        let (mr, nr) = T.tile(isa)
        var blocking = T.blocking(isa)
        blocking.mc = Swift.max(mr, blocking.mc / mr * mr)
        blocking.nc = Swift.max(nr, blocking.nc / nr * nr)
        let kc = Swift.min(blocking.kc, k)
        let nc = Swift.min(blocking.nc, (n + nr - 1) / nr * nr)
        let work = m * n * k
        let threads = Swift.max(1, Swift.min(maximumThreadCount, work / workPerThread))

        // The packed B block lives in the calling thread's workspace slot 0 and is reused by
        // every (jc, pc) block and every later call; A blocks use each worker's slot 1.
        let packedB = descent_workspace(0, kc * nc * MemoryLayout<T>.stride)!.assumingMemoryBound(to: T.self)
        let shared = SharedPointers(a: a, b: b, c: c, packedB: packedB)

        let mc = blocking.mc
        // One (jc, pc) block: pack kc×nc of B, then multiply every row block of A into C.
        func runBlock(jc: Int, pc: Int, depth: Int, columns: Int, blockBeta: T) {
            let panels = (columns + nr - 1) / nr
            if threads == 1 {
                packB(transposed: transposeB, shared.b, ldb: ldb, depth: pc, column: jc,
                      kc: depth, panels: 0..<panels, columns: columns, nr: nr, into: packedB)
                multiplyRows(
                    0..<m, columns: 0..<columns, transposeA: transposeA, shared: shared, lda: lda,
                    ldc: ldc, pc: pc, jc: jc, kc: depth, mr: mr, nr: nr, mc: mc, isa: isa,
                    alpha: alpha, beta: blockBeta)
                return
            }
            WorkerPool.run(parts: threads) { t in
                packB(transposed: transposeB, shared.b, ldb: ldb, depth: pc, column: jc, kc: depth,
                      panels: split(0..<panels, part: t, of: threads), columns: columns, nr: nr,
                      into: shared.packedB)
            }
            // Split the rows of C when there are enough, else its columns (in whole micro-tiles).
            let splitRows = m >= threads * mr * 4
            WorkerPool.run(parts: threads) { t in
                var rows = 0..<m, part = 0..<columns
                if splitRows {
                    let tiles = split(0..<((m + mr - 1) / mr), part: t, of: threads)
                    rows = tiles.lowerBound * mr..<Swift.min(m, tiles.upperBound * mr)
                } else {
                    let tiles = split(0..<panels, part: t, of: threads)
                    part = tiles.lowerBound * nr..<Swift.min(columns, tiles.upperBound * nr)
                }
                multiplyRows(
                    rows, columns: part, transposeA: transposeA, shared: shared, lda: lda, ldc: ldc,
                    pc: pc, jc: jc, kc: depth, mr: mr, nr: nr, mc: mc, isa: isa, alpha: alpha,
                    beta: blockBeta)
            }
        }

        var jc = 0
        while jc < n {
            let columns = Swift.min(nc, n - jc)
            var pc = 0
            while pc < k {
                let depth = Swift.min(kc, k - pc)
                // Later k blocks accumulate onto what the first one wrote.
                runBlock(jc: jc, pc: pc, depth: depth, columns: columns, blockBeta: pc == 0 ? beta : 1)
                pc += depth
            }
            jc += columns
        }
    }

    /// Part `part` of `threads` nearly equal parts of `range`.
    @inline(__always)
    static func split(_ range: Range<Int>, part: Int, of parts: Int) -> Range<Int> {
        let count = range.count
        let lower = range.lowerBound + count * part / parts
        let upper = range.lowerBound + count * (part + 1) / parts
        return lower..<upper
    }

    /// For each `mc`-row block of `rows`: packs A into this thread's workspace and runs the
    /// macro-kernel over `columns` (relative to `jc`) of the packed B block.
    @inline(__always)
    private static func multiplyRows<T: PackedGEMMScalar>(
        _ rows: Range<Int>, columns: Range<Int>, transposeA: Bool, shared: SharedPointers<T>, lda: Int,
        ldc: Int, pc: Int, jc: Int, kc: Int, mr: Int, nr: Int, mc: Int, isa: Int32, alpha: T, beta: T
    ) {
        if rows.isEmpty || columns.isEmpty { return }
        let blockRows = Swift.min(mc, (rows.count + mr - 1) / mr * mr)
        let packedA = descent_workspace(1, blockRows * kc * MemoryLayout<T>.stride)!
            .assumingMemoryBound(to: T.self)
        var ic = rows.lowerBound
        while ic < rows.upperBound {
            let height = Swift.min(blockRows, rows.upperBound - ic)
            packA(transposed: transposeA, shared.a, lda: lda, row: ic, depth: pc, mc: height, kc: kc,
                  mr: mr, into: packedA)
            T.macroKernel(
                isa, mc: height, nc: columns.count, kc: kc, packedA: packedA,
                packedB: shared.packedB + columns.lowerBound * kc,
                c: shared.c + ic * ldc + jc + columns.lowerBound, ldc: ldc, alpha: alpha, beta: beta)
            ic += height
        }
    }

    /// Packs `op(A)[row..<row+mc, depth..<depth+kc]` into micro-panels of `mr` rows: panel `q`
    /// holds, for each `p`, the `mr` values of column `p` (zero past the last row).
    @inline(__always)
    static func packA<T: PackedGEMMScalar>(
        transposed: Bool, _ a: UnsafePointer<T>, lda: Int, row: Int, depth: Int, mc: Int, kc: Int,
        mr: Int, into packed: UnsafeMutablePointer<T>
    ) {
        var panel = 0
        while panel < mc {
            let height = Swift.min(mr, mc - panel)
            let destination = packed + panel * kc
            if transposed {
                // A is stored k×m: each column p of op(A) is a contiguous run of `height` values.
                for p in 0..<kc {
                    let source = a + (depth + p) * lda + row + panel
                    let target = destination + p * mr
                    for r in 0..<height { target[r] = source[r] }
                    for r in height..<mr { target[r] = 0 }
                }
            } else if height == 12 {
                packRows(a + (row + panel) * lda + depth, lda: lda, kc: kc, into: destination, rows: 12)
            } else if height == 6 {
                packRows(a + (row + panel) * lda + depth, lda: lda, kc: kc, into: destination, rows: 6)
            } else {
                // Ragged last panel: walk each row once, writing with stride mr, then zero the rest.
                for r in 0..<height {
                    let source = a + (row + panel + r) * lda + depth
                    for p in 0..<kc { destination[p * mr + r] = source[p] }
                }
                for r in height..<mr {
                    for p in 0..<kc { destination[p * mr + r] = 0 }
                }
            }
            panel += mr
        }
    }

    /// Packs a full micro-panel of `rows` (a literal at each call, so the inner loop unrolls)
    /// rows of row-major A: for each p the `rows` values of column p, written sequentially.
    @inline(__always)
    static func packRows<T: PackedGEMMScalar>(
        _ source: UnsafePointer<T>, lda: Int, kc: Int, into destination: UnsafeMutablePointer<T>, rows: Int
    ) {
        var target = destination
        for p in 0..<kc {
            for r in 0..<rows { target[r] = source[r * lda + p] }
            target += rows
        }
    }

    /// Packs the micro-panels `panels` (of `nr` columns each) of `op(B)[depth..<depth+kc,
    /// column..<column+columns]`: panel `q` holds, for each `p`, `nr` values of row `p`.
    @inline(__always)
    static func packB<T: PackedGEMMScalar>(
        transposed: Bool, _ b: UnsafePointer<T>, ldb: Int, depth: Int, column: Int, kc: Int,
        panels: Range<Int>, columns: Int, nr: Int, into packed: UnsafeMutablePointer<T>
    ) {
        for q in panels {
            let j0 = q * nr
            let width = Swift.min(nr, columns - j0)
            let destination = packed + j0 * kc
            if transposed && width == nr && (nr == 8 || nr == 16 || nr == 32) {
                // B is stored n×k, so a panel of op(B) is `nr` stored rows read side by side.
                let source = b + (column + j0) * ldb + depth
                switch nr {
                case 8: packRows(source, lda: ldb, kc: kc, into: destination, rows: 8)
                case 16: packRows(source, lda: ldb, kc: kc, into: destination, rows: 16)
                default: packRows(source, lda: ldb, kc: kc, into: destination, rows: 32)
                }
            } else if transposed {
                // Ragged last panel: walk each stored row (a column of op(B)) once, stride nr.
                for j in 0..<width {
                    let source = b + (column + j0 + j) * ldb + depth
                    for p in 0..<kc { destination[p * nr + j] = source[p] }
                }
                for j in width..<nr {
                    for p in 0..<kc { destination[p * nr + j] = 0 }
                }
            } else {
                for p in 0..<kc {
                    let source = b + (depth + p) * ldb + column + j0
                    let target = destination + p * nr
                    if width == nr {
                        target.update(from: source, count: nr)
                    } else {
                        for j in 0..<width { target[j] = source[j] }
                        for j in width..<nr { target[j] = 0 }
                    }
                }
            }
        }
    }

    /// `C = beta·C` (used when the product is empty); `beta == 0` writes zeros without reading.
    static func scale<T: PackedGEMMScalar>(
        _ c: UnsafeMutablePointer<T>, ldc: Int, rows: Int, columns: Int, by beta: T
    ) {
        for i in 0..<rows {
            let row = c + i * ldc
            if beta == 0 {
                row.update(repeating: 0, count: columns)
            } else if beta != 1 {
                for j in 0..<columns { row[j] *= beta }
            }
        }
    }
}
