import CDescentKernels
import Testing

@testable import DescentKernels

/// The optimizer loops split over the worker pool give the same bits as on one thread, with and
/// without subnormal flushing on the calling thread (the parts must run under its MXCSR).
extension KernelTests {
    @Suite
    struct OptimizerKernelsTests {
        /// Deterministic values spanning normal and subnormal magnitudes (a small LCG, no Foundation).
        static func values(_ count: Int, seed: UInt64, scale: Float) -> [Float] {
            var state = seed
            return (0..<count).map { index in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let unit = Float(state >> 40) / Float(1 << 24) - 0.5
                // Every seventh value is tiny, so products and sums underflow into subnormals.
                return index % 7 == 0 ? unit * 1e-37 : unit * scale
            }
        }

        /// The first index where `a` and `b` differ in bits, or `nil` (short failure messages).
        static func firstDifference(_ a: [Float], _ b: [Float]) -> Int? {
            if a.count != b.count { return Swift.min(a.count, b.count) }
            return a.indices.first { a[$0].bitPattern != b[$0].bitPattern }
        }

        /// Runs `body` with `threads` pool threads and, if `flush`, FTZ/DAZ set on this thread.
        func withSettings(threads: Int, flush: Bool, _ body: () -> Void) {
            let savedControl = descent_fp_control()
            if flush { descent_set_fp_control(savedControl | 0x8040) }
            defer { descent_set_fp_control(savedControl) }
            GEMM.withMaximumThreadCount(threads, body)  // on this thread only
        }

        @Test(arguments: [2, 3], [false, true])
        func sgdSplitMatchesOneThread(threads: Int, flush: Bool) {
            let count = ParallelKernels.minimumCountPerPart * 6 + 5
            let gradient = Self.values(count, seed: 1, scale: 2)
            for mode in 0..<3 {
                func run(_ threads: Int) -> ([Float], [Float]) {
                    var parameters = Self.values(count, seed: 2, scale: 1)
                    var buffer = Self.values(count, seed: 3, scale: 1)
                    withSettings(threads: threads, flush: flush) {
                        parameters.withUnsafeMutableBufferPointer { p in
                            buffer.withUnsafeMutableBufferPointer { b in
                                _ = OptimizerKernels.sgd(p.baseAddress!, gradient, buffer: mode == 0 ? nil : b.baseAddress!,
                                                         bufferIsNew: mode == 1, count: count, negativeRate: -0.01,
                                                         momentum: 0.9, oneMinusDampening: 0.75)
                            }
                        }
                    }
                    return (parameters, buffer)
                }
                let (one, oneBuffer) = run(1), (split, splitBuffer) = run(threads)
                #expect(Self.firstDifference(one, split) == nil, "parameters, mode \(mode)")
                #expect(Self.firstDifference(oneBuffer, splitBuffer) == nil, "momentum buffer, mode \(mode)")
                // The update did something (guards against a loop that never ran).
                #expect(one != Self.values(count, seed: 2, scale: 1))
            }
        }

        @Test(arguments: [2, 3], [false, true])
        func adamSplitMatchesOneThread(threads: Int, flush: Bool) throws {
            try #require(GEMM.supportedInstructionSet >= .avx2, "the Float Adam kernel needs AVX2")
            let count = ParallelKernels.minimumCountPerPart * 4 + 13
            let gradient = Self.values(count, seed: 4, scale: 1)
            func run(_ threads: Int) -> [[Float]] {
                var p = Self.values(count, seed: 5, scale: 1), m = Self.values(count, seed: 6, scale: 0.1)
                var v = Self.values(count, seed: 7, scale: 0.01).map { $0 * $0 }
                withSettings(threads: threads, flush: flush) {
                    _ = OptimizerKernels.plainAdamFloat(&p, gradient, &m, &v, count: count, w1: 0.1, beta2: 0.999,
                                                        w2: 0.001, negativeStep: -0.001, root: 0.03, epsilon: 1e-8)
                }
                return [p, m, v]
            }
            let one = run(1), split = run(threads)
            for (name, (a, b)) in zip(["p", "m", "v"], zip(one, split)) {
                #expect(Self.firstDifference(a, b) == nil, "\(name)")
            }
            #expect(one[0] != Self.values(count, seed: 5, scale: 1))
        }
    }
}
