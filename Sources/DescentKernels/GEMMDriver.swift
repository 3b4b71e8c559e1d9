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

/// Float and Double: the C driver entry points and the block sizes per ISA.
protocol PackedGEMMScalar: BinaryFloatingPoint, Sendable, SendableMetatype {
    static func blocking(_ isa: Int32) -> GEMMBlocking
    static func packed(
        _ isa: Int32, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int, blocking: GEMMBlocking, threads: Int, epilogue: Int32)
    /// ReLU in place over a block of C (the epilogue's rule).
    static func reluBlock(_ c: UnsafeMutablePointer<Self>, ldc: Int, rows: Int, columns: Int)
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

/// `DESCENT_GEMM_WORK_PER_THREAD` when set to a positive integer.
private let environmentWorkPerThread: Int? = getenv("DESCENT_GEMM_WORK_PER_THREAD")
    .flatMap { Int(String(cString: $0)) }.flatMap { $0 > 0 ? $0 : nil }

extension Float: PackedGEMMScalar {
    static func blocking(_ isa: Int32) -> GEMMBlocking {
        if let override = environmentBlocking { return override }
        // From sweeps of mc and kc at 256–2048 (Zen 5 for AVX-512; shared/native-deps.md for AVX2).
        return isa == DESCENT_ISA_AVX512
            ? GEMMBlocking(mc: 96, kc: 512, nc: 2048) : GEMMBlocking(mc: 120, kc: 512, nc: 2048)
    }

    static func packed(
        _ isa: Int32, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, blocking: GEMMBlocking, threads: Int, epilogue: Int32
    ) {
        descent_sgemm_packed(
            isa, transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
            blocking.mc, blocking.kc, blocking.nc, threads, epilogue)
    }

    static func reluBlock(_ c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int) {
        descent_relu_block_f32(c, ldc, rows, columns)
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
    static func blocking(_ isa: Int32) -> GEMMBlocking {
        if let override = environmentBlocking { return override }
        return isa == DESCENT_ISA_AVX512
            ? GEMMBlocking(mc: 48, kc: 512, nc: 2048) : GEMMBlocking(mc: 72, kc: 256, nc: 2048)
    }

    static func packed(
        _ isa: Int32, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int, blocking: GEMMBlocking, threads: Int, epilogue: Int32
    ) {
        descent_dgemm_packed(
            isa, transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
            blocking.mc, blocking.kc, blocking.nc, threads, epilogue)
    }

    static func reluBlock(_ c: UnsafeMutablePointer<Double>, ldc: Int, rows: Int, columns: Int) {
        descent_relu_block_f64(c, ldc, rows, columns)
    }

    static func small(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        descent_dgemm_small(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
}

extension GEMM {
    /// Products with at most this many multiply-adds (`m·n·k`) skip packing.
    static let directPathLimit = 32 * 1024
    /// Multiply-adds each extra thread must get before a product is split (one ``WorkerPool``
    /// job per product). 2¹⁸ splits products from 512K multiply-adds: with `kernels/gemm-mlp`,
    /// the batch-32 MLP products of 1M multiply-adds and more ran clearly faster on two threads,
    /// those of 40K–160K gained little or nothing, as the fork-join is then a large part of the
    /// product's time (BENCHMARKS.md, "Design measurements", "GEMM thread split"). The
    /// environment variable `DESCENT_GEMM_WORK_PER_THREAD` overrides it (a tuning aid for
    /// benchmarks). Tests lower it to reach the threaded paths with small shapes.
    nonisolated(unsafe) static var workPerThread = environmentWorkPerThread ?? (1 << 18)

    @inline(__always)
    static func blocked<T: PackedGEMMScalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
        beta: T, c: UnsafeMutablePointer<T>, ldc: Int, epilogue: Epilogue = .none
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM: negative dimension m=\(m) n=\(n) k=\(k)")
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            scale(c, ldc: ldc, rows: m, columns: n, by: beta)
            if epilogue == .relu { T.reluBlock(c, ldc: ldc, rows: m, columns: n) }
            return
        }
        // GEMV-like shapes (a batch of one) and tiny products: packing would cost more than it saves.
        if m <= 4 || m * n * k <= directPathLimit {
            T.small(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            if epilogue == .relu { T.reluBlock(c, ldc: ldc, rows: m, columns: n) }
            return
        }
        let isa = descent_isa_current()
        let threads = Swift.max(1, Swift.min(maximumThreadCount, m * n * k / Swift.max(1, ThreadSetting.gemmWorkPerThread.value(otherwise: workPerThread))))
        T.packed(
            isa, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, blocking: T.blocking(isa),
            threads: threads, epilogue: epilogue == .relu ? 1 : 0)
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
