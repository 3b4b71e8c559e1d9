import Testing

@testable import DescentKernels

/// A shape and operand layout for one product.
struct GEMMCase: CustomStringConvertible, Sendable {
    var m: Int, n: Int, k: Int
    var transposeA = false, transposeB = false
    var alpha = 1.0, beta = 0.0
    /// Extra elements at the end of each stored row (leading dimension larger than the width).
    var padding = 0

    var description: String {
        "\(m)×\(n)×\(k) tA=\(transposeA) tB=\(transposeB) α=\(alpha) β=\(beta) pad=\(padding)"
    }
}

/// Runs the built-in GEMM on deterministic pseudo-random data and compares every element of C
/// with a naive Double reference. Also checks that the row padding of C is left untouched and
/// that `beta == 0` ignores the NaN put in C beforehand.
func checkGEMM<T: BinaryFloatingPoint & KernelScalar>(_ type: T.Type, _ shape: GEMMCase) -> Bool {
    let (m, n, k) = (shape.m, shape.n, shape.k)
    let aRows = shape.transposeA ? k : m, aColumns = shape.transposeA ? m : k
    let bRows = shape.transposeB ? n : k, bColumns = shape.transposeB ? k : n
    let lda = aColumns + shape.padding, ldb = bColumns + shape.padding, ldc = n + shape.padding
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(m * 1_000_003 + n * 1009 + k)
    func next() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(1 << 53) * 2 - 1
    }
    var a = [T](repeating: 0, count: Swift.max(1, aRows * lda))
    var b = [T](repeating: 0, count: Swift.max(1, bRows * ldb))
    for i in a.indices { a[i] = T(next()) }
    for i in b.indices { b[i] = T(next()) }
    let sentinel = T(12345)
    var c = [T](repeating: sentinel, count: Swift.max(1, m * ldc))
    for i in 0..<m {
        for j in 0..<n { c[i * ldc + j] = shape.beta == 0 ? T.nan : T(next()) }
    }
    let original = c

    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                if T.self == Float.self {
                    GEMM.multiplyWithBuiltInKernels(
                        transposeA: shape.transposeA, transposeB: shape.transposeB, m: m, n: n, k: k,
                        alpha: Float(shape.alpha),
                        a: UnsafeRawPointer(a.baseAddress!).assumingMemoryBound(to: Float.self), lda: lda,
                        b: UnsafeRawPointer(b.baseAddress!).assumingMemoryBound(to: Float.self), ldb: ldb,
                        beta: Float(shape.beta),
                        c: UnsafeMutableRawPointer(c.baseAddress!).assumingMemoryBound(to: Float.self), ldc: ldc)
                } else {
                    GEMM.multiplyWithBuiltInKernels(
                        transposeA: shape.transposeA, transposeB: shape.transposeB, m: m, n: n, k: k,
                        alpha: shape.alpha,
                        a: UnsafeRawPointer(a.baseAddress!).assumingMemoryBound(to: Double.self), lda: lda,
                        b: UnsafeRawPointer(b.baseAddress!).assumingMemoryBound(to: Double.self), ldb: ldb,
                        beta: shape.beta,
                        c: UnsafeMutableRawPointer(c.baseAddress!).assumingMemoryBound(to: Double.self), ldc: ldc)
                }
            }
        }
    }

    let epsilon = Double(T.ulpOfOne)
    // The reference walks raw pointers so that it stays quick in debug builds.
    return a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            let a = a.baseAddress!, b = b.baseAddress!
            let (strideAI, strideAP) = shape.transposeA ? (1, lda) : (lda, 1)
            let (strideBJ, strideBP) = shape.transposeB ? (ldb, 1) : (1, ldb)
            for i in 0..<m {
                for j in 0..<n {
                    var sum = 0.0, magnitude = 0.0
                    var pa = a + i * strideAI, pb = b + j * strideBJ
                    for _ in 0..<k {
                        let term = Double(pa.pointee) * Double(pb.pointee)
                        sum += term
                        magnitude += Swift.abs(term)
                        pa += strideAP
                        pb += strideBP
                    }
                    var expected = shape.alpha * sum
                    var bound = Swift.abs(shape.alpha) * magnitude
                    if shape.beta != 0 {
                        expected += shape.beta * Double(original[i * ldc + j])
                        bound += Swift.abs(shape.beta * Double(original[i * ldc + j]))
                    }
                    // The standard dot-product error bound, (k + 2)·ε·Σ|terms|, with a little slack.
                    let tolerance = Double(k + 4) * epsilon * bound + 1e-30
                    let actual = Double(c[i * ldc + j])
                    if !(Swift.abs(actual - expected) <= tolerance) {
                        Issue.record("\(T.self) \(shape): C[\(i),\(j)] = \(actual), expected \(expected) ± \(tolerance)")
                        return false
                    }
                }
                for j in n..<ldc where c[i * ldc + j] != sentinel {
                    Issue.record("\(T.self) \(shape): padding C[\(i),\(j)] was overwritten")
                    return false
                }
            }
            return true
        }
    }
}

/// The shapes from the brief plus edge cases of the blocking: ragged micro-tiles, several k
/// blocks (k > kc), several n blocks (n > nc), GEMV-like rows, and shapes split across threads
/// by rows (130×77×513) and by columns (20×300×700).
let gemmShapes: [(Int, Int, Int)] = [
    (1, 1, 1), (1, 10, 784), (1, 784, 10), (3, 5, 7), (2, 300, 40), (5, 17, 33), (7, 1, 50),
    (40, 40, 40), (67, 45, 300), (130, 77, 513), (20, 300, 700), (13, 2100, 90),
]

/// Cheaper shapes for the alpha/beta/padding cross product (still ragged, packed and direct).
let scalingShapes: [(Int, Int, Int)] = [(1, 10, 784), (5, 17, 33), (67, 45, 300), (20, 300, 700)]

/// Products big enough to be split across two threads (by rows, by columns).
let threadedShapes: Set<[Int]> = [[130, 77, 513], [20, 300, 700]]

/// Every shape with all four transpose combinations. With one thread the shapes that only
/// matter for the two-thread split are left out to keep the debug-build test run short.
func allCases(_ shapes: [(Int, Int, Int)] = gemmShapes, threads: Int, padding: Int = 0) -> [GEMMCase] {
    var cases: [GEMMCase] = []
    for (m, n, k) in shapes where threads > 1 || !threadedShapes.contains([m, n, k]) {
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                cases.append(
                    GEMMCase(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, padding: padding))
            }
        }
    }
    return cases
}

/// Kernel tests switch process-wide settings (instruction set, thread count), so all of them
/// are nested in this suite, whose `.serialized` trait runs them one at a time.
@Suite(.serialized)
enum KernelTests {}

/// Every kernel path: each instruction set this CPU has, with one and two threads.
extension KernelTests {
    @Suite
    struct GEMMTests {
        static var instructionSets: [GEMM.InstructionSet] {
            GEMM.InstructionSet.allCases.filter { $0 <= GEMM.supportedInstructionSet }
        }

        func withSettings(_ instructionSet: GEMM.InstructionSet, threads: Int, _ body: () -> Void) {
            // The threaded shapes below (4–5M multiply-adds) split at 2²¹ per thread. The thread
            // count, the split and the level are this thread's only (tests of other modules run meanwhile).
            GEMM.withMaximumThreadCount(threads) {
                ThreadSetting.gemmWorkPerThread.with(1 << 21) { GEMM.withInstructionSet(instructionSet, body) }
            }
        }

        @Test(arguments: instructionSets, [1, 2])
        func floatMatchesNaiveReferenceForAllTransposes(instructionSet: GEMM.InstructionSet, threads: Int) {
            withSettings(instructionSet, threads: threads) {
                for shape in allCases(threads: threads) where !checkGEMM(Float.self, shape) { return }
            }
        }

        @Test(arguments: instructionSets, [1, 2])
        func doubleMatchesNaiveReferenceForAllTransposes(instructionSet: GEMM.InstructionSet, threads: Int) {
            withSettings(instructionSet, threads: threads) {
                for shape in allCases(threads: threads) where !checkGEMM(Double.self, shape) { return }
            }
        }

        @Test(arguments: instructionSets, [1, 2])
        func alphaBetaAndLeadingDimensionsLargerThanWidth(instructionSet: GEMM.InstructionSet, threads: Int) {
            withSettings(instructionSet, threads: threads) {
                // Each (alpha, beta) pair meets a different transpose combination of each shape.
                let pairs = [(1.0, 1.0), (-0.5, 2.0), (2.0, 0.0), (0.0, 0.5), (0.0, 0.0)]
                for (index, var shape) in allCases(scalingShapes, threads: 2, padding: 3).enumerated() {
                    (shape.alpha, shape.beta) = pairs[index % pairs.count]
                    if !checkGEMM(Float.self, shape) || !checkGEMM(Double.self, shape) { return }
                }
            }
        }

        @Test func emptyDimensionsScaleOrLeaveC() {
            var c: [Float] = [.nan, .nan]
            let a: [Float] = [1], b: [Float] = [1, 1]
            // k = 0 with beta = 0: C becomes zero even though it held NaN.
            GEMM.multiply(transposeA: false, transposeB: false, m: 1, n: 2, k: 0, alpha: 1, a: a, lda: 1, b: b,
                          ldb: 2, beta: 0, c: &c, ldc: 2)
            #expect(c == [0, 0])
            c = [3, 4]
            GEMM.multiply(transposeA: false, transposeB: false, m: 1, n: 2, k: 0, alpha: 1, a: a, lda: 1, b: b,
                          ldb: 2, beta: 2, c: &c, ldc: 2)
            #expect(c == [6, 8])
            // m = 0: nothing is touched.
            GEMM.multiply(transposeA: false, transposeB: false, m: 0, n: 2, k: 1, alpha: 1, a: a, lda: 1, b: b,
                          ldb: 2, beta: 0, c: &c, ldc: 2)
            #expect(c == [6, 8])
        }

        @Test func publicEntryPointMatchesReferenceOnAnMLPStep() {
            // 32×784 · 784×128, the first layer of a batch-32 MNIST step, with the default settings.
            #expect(checkGEMM(Float.self, GEMMCase(m: 32, n: 128, k: 784)))
        }
    }
}

/// Threads split output tiles, never the k sum, so a product is bit-for-bit the same with one
/// or two threads (resuming training exactly relies on it).
extension KernelTests {
    @Suite
    struct GEMMThreadIndependenceTests {
        /// C = op(A)·op(B) with `threads` threads and every product split (work per thread 1).
        func product(
            _ shape: GEMMCase, threads: Int, _ a: [Float], _ b: [Float], lda: Int, ldb: Int
        ) -> [Float] {
            var c = [Float](repeating: 0.5, count: shape.m * shape.n)
            // The thread count and the split for this thread only (tests of other modules run meanwhile).
            GEMM.withMaximumThreadCount(threads) {
                ThreadSetting.gemmWorkPerThread.with(1) {
                    GEMM.multiplyWithBuiltInKernels(
                        transposeA: shape.transposeA, transposeB: shape.transposeB, m: shape.m, n: shape.n, k: shape.k,
                        alpha: Float(shape.alpha), a: a, lda: lda, b: b, ldb: ldb, beta: Float(shape.beta), c: &c,
                        ldc: shape.n)
                }
            }
            return c
        }

        /// MLP-step shapes (batch 32 and 100: m < n, split by columns; 300×200: split by rows) and
        /// k > kc (1030).
        static let shapes: [GEMMCase] = [
            GEMMCase(m: 32, n: 256, k: 784, transposeB: true),
            GEMMCase(m: 256, n: 784, k: 32, transposeA: true),
            GEMMCase(m: 100, n: 128, k: 256, transposeB: true, beta: 1),
            GEMMCase(m: 32, n: 256, k: 128),
            GEMMCase(m: 130, n: 70, k: 1030, transposeA: true, alpha: -0.5, beta: 2),
            // m ≥ n: split by rows (the batch-1024 forward shape, scaled down), ragged edges.
            GEMMCase(m: 300, n: 200, k: 70, transposeB: true),
        ]

        @Test(arguments: GEMMTests.instructionSets, shapes)
        func oneAndTwoThreadsGiveIdenticalBits(instructionSet: GEMM.InstructionSet, shape: GEMMCase) {
            GEMM.withInstructionSet(instructionSet) { checkThreadIndependence(shape) }
        }

        func checkThreadIndependence(_ shape: GEMMCase) {
            let lda = shape.transposeA ? shape.m : shape.k, ldb = shape.transposeB ? shape.k : shape.n
            // Values of mixed magnitude so that a different summation order would change bits.
            let a: [Float] = (0..<(shape.m * shape.k)).map { (i: Int) -> Float in Float((i * 7919) % 1013) / 97 - 5 }
            let b: [Float] = (0..<(shape.k * shape.n)).map { (i: Int) -> Float in
                let scale = Float(1 + i % 3)
                return Float((i * 104_729) % 1019) / 1019 * scale
            }
            let one = product(shape, threads: 1, a, b, lda: lda, ldb: ldb)
            let two = product(shape, threads: 2, a, b, lda: lda, ldb: ldb)
            let differing = zip(one, two).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(differing) of \(one.count) elements differ")
            // And the product itself is right (the shared checker, with the same shape).
            #expect(checkGEMM(Float.self, shape))
        }

        /// The ReLU epilogue gives the bits of the product followed by ElementKernels' ReLU (NaN
        /// kept, −0 and negatives to +0): packed shapes with several k blocks and ragged tiles,
        /// split by rows and by columns, a bias already in C (beta 1), the direct path, Float
        /// and Double, every instruction set, one and two threads.
        @Test(arguments: GEMMTests.instructionSets, [1, 2])
        func reluEpilogueEqualsProductThenReLU(instructionSet: GEMM.InstructionSet, threads: Int) {
            // The level, the thread count and the split for this thread only (other tests run meanwhile).
            GEMM.withInstructionSet(instructionSet) { GEMM.withMaximumThreadCount(threads) { ThreadSetting.gemmWorkPerThread.with(1) {
                for (m, n, k, beta) in [(300, 200, 70, 0.0), (64, 130, 1030, 1.0), (40, 500, 96, 1.0), (3, 17, 9, 1.0), (16, 16, 16, 0.0)] {
                    check(Float.self, m: m, n: n, k: k, beta: beta)
                    check(Double.self, m: m, n: n, k: k, beta: beta)
                }
            } } }

            func check<T: KernelScalar & PackedGEMMScalar>(_: T.Type, m: Int, n: Int, k: Int, beta: Double) {
                // About half the results negative; a NaN in A makes a row of NaN results.
                var a: [T] = (0..<(m * k)).map { T(Double(($0 * 7919) % 1013) / 97 - 5.2) }
                a[k + 3] = .nan
                let b: [T] = (0..<(k * n)).map { T(Double(($0 * 104_729) % 1019) / 1019 - 0.45) }
                let bias: [T] = (0..<(m * n)).map { T(Double($0 % 13) - 6) }
                var plain = bias, fused = bias
                GEMM.blocked(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: k,
                             beta: T(beta), c: &plain, ldc: n)
                ElementKernels.unary(.relu, plain, &plain, count: plain.count)
                GEMM.blocked(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: k,
                             beta: T(beta), c: &fused, ldc: n, epilogue: .relu)
                // Bitwise: the same value, sign of zero and NaN-ness.
                let differing = zip(plain, fused).filter { $0.isNaN != $1.isNaN || (!$0.isNaN && ($0 != $1 || $0.sign != $1.sign)) }.count
                #expect(differing == 0, "\(T.self) \(m)×\(n)×\(k): \(differing) elements differ")
                #expect(fused.contains { $0.isNaN } && fused.contains { $0 == 0 } && fused.contains { $0 > 0 })
            }
        }

        /// The direct path's rows kernel (B not transposed, the batch-1 input gradient) runs two
        /// 32-column blocks at once with AVX-512; each lane must get the AVX2 kernel's operations,
        /// so the results are the same bits at both levels: widths with and without ragged ends,
        /// odd and even depths, A transposed or not, alpha and beta.
        @Test func smallRowsPathIsBitIdenticalAcrossInstructionSets() {
            guard GEMM.supportedInstructionSet >= .avx512 else { return }
            for m in [1, 3] {
                for n in [64, 96, 100, 128, 200, 256, 300] {
                    for k in [1, 7, 128, 129] {
                        for transposeA in [false, true] {
                            for (alpha, beta) in [(Float(1), Float(0)), (-0.5, 1)] {
                                let a: [Float] = (0..<(m * k)).map { Float(($0 * 7919) % 1013) / 97 - 5.2 }
                                let b: [Float] = (0..<(k * n)).map { Float(($0 * 104_729) % 1019) / 1019 - 0.45 }
                                let start: [Float] = (0..<(m * n)).map { Float($0 % 13) - 6 }
                                var results: [[Float]] = []
                                for level in [GEMM.InstructionSet.avx2, .avx512] {
                                    var c = start
                                    GEMM.withInstructionSet(level) {
                                        GEMM.blocked(transposeA: transposeA, transposeB: false, m: m, n: n, k: k, alpha: alpha,
                                                     a: a, lda: transposeA ? m : k, b: b, ldb: n, beta: beta, c: &c, ldc: n)
                                    }
                                    results.append(c)
                                }
                                let differing = zip(results[0], results[1]).filter { $0.bitPattern != $1.bitPattern }.count
                                #expect(differing == 0, "\(m)×\(n)×\(k) tA=\(transposeA) α=\(alpha) β=\(beta): \(differing) differ")
                            }
                        }
                    }
                }
            }
        }
    }
}
