import CDescentKernels
import Dispatch

#if canImport(Accelerate)
import Accelerate
#elseif OpenBLAS
import COpenBLAS
#endif

/// General matrix multiply over row-major buffers: `C = alpha·op(A)·op(B) + beta·C`.
///
/// `op(A)` is `m×k` (A is stored `k×m` when `transposeA`), `op(B)` is `k×n`, `C` is `m×n`.
/// Leading dimensions (`lda`, `ldb`, `ldc`) are row strides in elements and may exceed the
/// row width. When `beta` is `0`, C is written without being read, so it may hold garbage.
///
/// The default build is dependency-free: a BLIS-style driver (Goto & van de Geijn, 2008;
/// Van Zee & van de Geijn, 2015) in C (gemmdriver.c) packs blocks of A and B and calls micro-kernels
/// compiled for AVX2 + FMA or AVX-512, chosen at run time (portable C otherwise). Tiny products
/// take a direct path without packing; large ones use up to ``maximumThreadCount`` threads.
/// With the package trait `OpenBLAS` (or on Apple platforms, Accelerate) it calls `cblas_?gemm`.
/// Equivalent to BLAS `?gemm` with `CblasRowMajor`; PyTorch `torch.addmm`.
public enum GEMM {
    /// The most threads one product may use.
    ///
    /// The default value is the number of processors this process may run on, or the
    /// environment variable `DESCENT_NUM_THREADS` when it is set to a positive integer.
    /// A product gets one thread per 2¹⁸ multiply-adds (`m·n·k`), so products below 512K
    /// multiply-adds run on the calling thread, where a hand-off would cost more than it saves.
    /// Threads come from the persistent ``WorkerPool``. Values below 1 become 1.
    /// Not used by the OpenBLAS and Accelerate builds (set `OPENBLAS_NUM_THREADS` there).
    public static var maximumThreadCount: Int {
        get { Int(descent_gemm_thread_count()) }
        set { descent_gemm_set_thread_count(Int32(clamping: newValue)) }
    }

    /// Instruction sets the built-in kernels can use.
    public enum InstructionSet: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
        /// Portable C compiled for the baseline target (SSE2 on x86-64).
        case portable = 0
        /// AVX2 and FMA: 6×16 Float and 6×8 Double micro-kernels; vectorised Float math.
        case avx2 = 1
        /// AVX-512F: 12×32 Float and 12×16 Double micro-kernels; 16-lane Float exp, tanh, sigmoid.
        case avx512 = 2

        /// Orders the levels from `portable` (lowest) to `avx512`.
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

        /// `"portable"`, `"avx2"` or `"avx512"` (the values `DESCENT_ISA` accepts).
        public var description: String {
            switch self {
            case .portable: "portable"
            case .avx2: "avx2"
            case .avx512: "avx512"
            }
        }
    }

    /// Work applied to the result as it is produced.
    public enum Epilogue: Sendable, Equatable {
        /// `C` as computed.
        case none
        /// `max(C, 0)` per element (NaN kept, −0 becomes +0: the rule of
        /// ``ElementKernels/unary(_:_:_:count:)``'s ReLU), applied by the built-in kernels to each
        /// block of C right after its last k block, while it is in cache (a Linear followed by a
        /// ReLU in one pass, as cuBLASLt's `CUBLASLT_EPILOGUE_RELU`); with a BLAS backend, a
        /// separate pass afterwards. Either way, the same bits as the product then the ReLU.
        case relu
    }

    /// The best instruction set this CPU supports.
    public static var supportedInstructionSet: InstructionSet {
        InstructionSet(rawValue: Int(descent_isa_supported())) ?? .portable
    }

    /// The instruction set the built-in kernels use (GEMM and the vectorised Float math).
    ///
    /// The default value is ``supportedInstructionSet``, lowered by the environment variable
    /// `DESCENT_ISA` (`portable`, `avx2`, `avx512`). Setting a level the CPU lacks sets the best
    /// supported one instead. Tests and benchmarks use this to exercise every path.
    public static var instructionSet: InstructionSet {
        get { InstructionSet(rawValue: Int(descent_isa_current())) ?? .portable }
        set { descent_isa_set(Int32(newValue.rawValue)) }
    }

    /// Runs `body` with ``maximumThreadCount`` set to `count` for the calling thread only: the
    /// products and ``WorkerPool`` jobs it starts use at most `count` threads, while code on other
    /// threads keeps the process-wide value. Tests use it to run on one or two threads beside
    /// tests that read the thread count. Values below 1 become 1.
    public static func withMaximumThreadCount<Result>(_ count: Int, _ body: () throws -> Result) rethrows -> Result {
        let saved = descent_gemm_set_thread_count_override(Int32(clamping: Swift.max(1, count)))
        defer { descent_gemm_set_thread_count_override(saved) }
        return try body()
    }

    /// Runs `body` with the built-in kernels at `instructionSet` on the calling thread (and in the
    /// ``WorkerPool`` parts it starts), leaving every other thread at ``instructionSet``'s
    /// process-wide value. Tests and benchmarks use it to compare code paths while other code
    /// runs concurrently; a level the CPU lacks means the best supported one.
    public static func withInstructionSet<Result>(_ instructionSet: InstructionSet, _ body: () throws -> Result) rethrows -> Result {
        let saved = descent_isa_thread_override()
        descent_isa_set_thread_override(Int32(instructionSet.rawValue))
        defer { descent_isa_set_thread_override(saved) }
        return try body()
    }

    /// Which implementation `multiply` calls: `"descent"` (the built-in kernels, the default),
    /// `"openblas"` (package trait `OpenBLAS`) or `"accelerate"` (Apple platforms).
    public static var backend: String {
        #if canImport(Accelerate)
        "accelerate"
        #elseif OpenBLAS
        "openblas"
        #else
        "descent"
        #endif
    }

    /// Whether a Float ``multiply(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:epilogue:)``
    /// of depth `k` on this thread forms every element of C from one complete sum `s` of its `k`
    /// products, as `alpha·s` rounded and then one rounded addition of `beta·c` (no fused
    /// multiply-add across the two, no partial sums written to C in between). Then `beta = 1`
    /// with `alpha = r` gives exactly `c + r·s`, the bits of computing the product first and
    /// adding `r` times it afterwards (a plain SGD step folded into the weight-gradient product).
    /// True for the built-in kernels at AVX2 or better when `k` fits one depth block of the packed
    /// path (512); false with a BLAS backend, whose arithmetic is its own.
    public static func addsCompleteProducts(depth k: Int) -> Bool {
        guard backend == "descent" else { return false }
        let isa = descent_isa_current()
        return isa >= DESCENT_ISA_AVX2 && k >= 1 && k <= Float.blocking(isa).kc
    }

    /// `C = alpha·op(A)·op(B) + beta·C` in Float. See ``GEMM``.
    ///
    /// - Parameters:
    ///   - transposeA: Whether A is stored `k×m` (use `Aᵀ`).
    ///   - transposeB: Whether B is stored `n×k` (use `Bᵀ`).
    ///   - m: Rows of C and of `op(A)`.
    ///   - n: Columns of C and of `op(B)`.
    ///   - k: Columns of `op(A)`, rows of `op(B)`.
    ///   - alpha: Scale of the product.
    ///   - a: A, row-major with row stride `lda`.
    ///   - lda: Row stride of A in elements (at least its stored width).
    ///   - b: B, row-major with row stride `ldb`.
    ///   - ldb: Row stride of B in elements.
    ///   - beta: Scale of the old C; `0` means C is not read (it may hold NaN).
    ///   - c: C, `m×n`, row stride `ldc`; overwritten.
    ///   - ldc: Row stride of C in elements (at least `n`).
    ///   - epilogue: Work on C as it is produced. The default value is ``Epilogue/none``.
    public static func multiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: Epilogue = .none
    ) {
        #if canImport(Accelerate) || OpenBLAS
        // Tiny and GEMV-like products stay on the direct path: a BLAS call costs microseconds there.
        if m <= 4 || m * n * k <= directPathLimit {
            blocked(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, epilogue: epilogue)
            return
        }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        if epilogue == .relu { Float.reluBlock(c, ldc: ldc, rows: m, columns: n) }
        #else
        blocked(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, epilogue: epilogue)
        #endif
    }

    /// `C = alpha·op(A)·op(B) + beta·C` in Double. See ``GEMM`` and the Float version.
    public static func multiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int, epilogue: Epilogue = .none
    ) {
        #if canImport(Accelerate) || OpenBLAS
        // Tiny and GEMV-like products stay on the direct path: a BLAS call costs microseconds there.
        if m <= 4 || m * n * k <= directPathLimit {
            blocked(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, epilogue: epilogue)
            return
        }
        cblas_dgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        if epilogue == .relu { Double.reluBlock(c, ldc: ldc, rows: m, columns: n) }
        #else
        blocked(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, epilogue: epilogue)
        #endif
    }

    /// The built-in BLIS-style Float implementation, whatever the backend (for tests and benchmarks).
    public static func multiplyWithBuiltInKernels(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        blocked(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// The built-in BLIS-style Double implementation, whatever the backend (for tests and benchmarks).
    public static func multiplyWithBuiltInKernels(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        blocked(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}
