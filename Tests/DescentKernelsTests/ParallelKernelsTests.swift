import Testing

@testable import DescentKernels

/// ParallelKernels: with two threads and tiny parts (so every call is split, with ragged last
/// parts), each kernel gives exactly the bits of the single-threaded kernel it splits.
extension KernelTests {
    @Suite
    struct ParallelKernelsTests {
        /// Runs `body` with `threads` threads and parts of at least `minimum` elements.
        func withSplit<R>(threads: Int, minimum: Int, _ body: () -> R) -> R {
            // On this thread only: tests of other modules run meanwhile.
            GEMM.withMaximumThreadCount(threads) {
                ThreadSetting.parallelMinimumCount.with(minimum) { ThreadSetting.parallelMinimumColumns.with(16, body) }
            }
        }

        /// Deterministic values of both signs and mixed magnitudes (so that a changed summation
        /// order or a skipped element would change bits), with exact zeros now and then.
        func values(_ count: Int, seed: Int) -> [Float] {
            (0..<count).map { i in
                let k = (i * 7919 + seed * 104_729) % 2003
                return k % 17 == 0 ? 0 : Float(k - 1001) / Float(1 + (i % 5) * 37)
            }
        }

        func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

        @Test(arguments: [1, 63, 64, 1000, 4097])
        func rangesCoverEveryIndexOnceWithAlignedBounds(count: Int) {
            withSplit(threads: 2, minimum: 1) {
                var hits = [Int](repeating: 0, count: count)
                var lowerBounds: [Int] = []
                hits.withUnsafeMutableBufferPointer { hits in
                    // Each range writes only its own elements; the bounds are collected afterwards.
                    ParallelKernels.forEachRange(count: count) { range in
                        for i in range { hits[i] += 1 }
                    }
                }
                ParallelKernels.forEachRange(count: count, parts: 1) { lowerBounds.append($0.lowerBound) }
                #expect(hits.allSatisfy { $0 == 1 })
                #expect(lowerBounds == [0])
                #expect(ParallelKernels.partCount(for: count) == (count < 128 ? 1 : 4))
            }
        }

        @Test(arguments: [UnaryOperation.relu, .exp, .tanh, .sigmoid, .square], [100, 1000, 4097])
        func unaryMatchesOneThread(operation: UnaryOperation, count: Int) {
            let x = values(count, seed: 1).map { $0 / 50 }
            var one = [Float](repeating: .nan, count: count), two = one
            ElementKernels.unary(operation, x, &one, count: count)
            withSplit(threads: 2, minimum: 64) { ParallelKernels.unary(operation, x, &two, count: count) }
            #expect(bits(one) == bits(two))
        }

        @Test(arguments: [100, 4097])
        func reluDerivativeAndBinaryMatchOneThread(count: Int) {
            let x = values(count, seed: 2), g = values(count, seed: 3)
            var one = [Float](repeating: .nan, count: count), two = one
            ElementKernels.unaryDerivative(.relu, x: x, y: x, upstream: g, &one, count: count)
            withSplit(threads: 2, minimum: 64) { ParallelKernels.unaryDerivative(.relu, x: x, y: x, upstream: g, &two, count: count) }
            #expect(bits(one) == bits(two))
            // A broadcast right operand (stride 0) and a contiguous one.
            ElementKernels.binary(.multiply, x, lhsStride: 1, g, rhsStride: 0, &one, count: count)
            withSplit(threads: 2, minimum: 64) { ParallelKernels.binary(.multiply, x, lhsStride: 1, g, rhsStride: 0, &two, count: count) }
            #expect(bits(one) == bits(two))
            ElementKernels.binary(.add, x, lhsStride: 1, g, rhsStride: 1, &one, count: count)
            withSplit(threads: 2, minimum: 64) { ParallelKernels.binary(.add, x, lhsStride: 1, g, rhsStride: 1, &two, count: count) }
            #expect(bits(one) == bits(two))
        }

        /// Shapes of an MLP layer (batch × units) and ragged ones (columns not a multiple of 16).
        static let blocks: [(rows: Int, columns: Int)] = [(64, 256), (33, 100), (7, 1000), (1, 48)]

        @Test(arguments: 0..<blocks.count)
        func columnSumsAndFusedReLUGradientMatchOneThread(block: Int) {
            let (rows, columns) = Self.blocks[block]
            let x = values(rows * columns, seed: 4), g = values(rows * columns, seed: 5)
            var sumsOne = [Float](repeating: .nan, count: columns), sumsTwo = sumsOne
            ElementKernels.reduce(.sum, g, outer: 1, length: rows, inner: columns, &sumsOne)
            withSplit(threads: 2, minimum: 16) { ParallelKernels.columnSums(g, rows: rows, columns: columns, &sumsTwo) }
            #expect(bits(sumsOne) == bits(sumsTwo))
            // The first column's sum against a plain loop from row 0 (the order the kernel keeps).
            var first: Float = 0
            for r in 0..<rows { first = r == 0 ? g[0] : first + g[r * columns] }
            #expect(sumsTwo[0].bitPattern == first.bitPattern)

            var outOne = [Float](repeating: .nan, count: rows * columns), outTwo = outOne
            ElementKernels.reluDerivativeWithColumnSums(x: x, upstream: g, &outOne, rows: rows, columns: columns, sums: &sumsOne)
            withSplit(threads: 2, minimum: 16) {
                ParallelKernels.reluDerivativeWithColumnSums(x: x, upstream: g, &outTwo, rows: rows, columns: columns, sums: &sumsTwo)
            }
            #expect(bits(outOne) == bits(outTwo))
            #expect(bits(sumsOne) == bits(sumsTwo))
        }

        @Test func doubleFusedReLUGradientMatchesOneThread() {
            let rows = 9, columns = 200
            let x = values(rows * columns, seed: 6).map(Double.init), g = values(rows * columns, seed: 7).map { Double($0) / 3 }
            var outOne = [Double](repeating: .nan, count: rows * columns), outTwo = outOne
            var sumsOne = [Double](repeating: .nan, count: columns), sumsTwo = sumsOne
            ElementKernels.reluDerivativeWithColumnSums(x: x, upstream: g, &outOne, rows: rows, columns: columns, sums: &sumsOne)
            withSplit(threads: 2, minimum: 16) {
                ParallelKernels.reluDerivativeWithColumnSums(x: x, upstream: g, &outTwo, rows: rows, columns: columns, sums: &sumsTwo)
            }
            #expect(outOne.map(\.bitPattern) == outTwo.map(\.bitPattern))
            #expect(sumsOne.map(\.bitPattern) == sumsTwo.map(\.bitPattern))
        }

        @Test func fillRowsCopiesTheRowIntoEveryRow() {
            let rows = 37, columns = 70
            let row = values(columns, seed: 8)
            var out = [Float](repeating: .nan, count: rows * columns)
            withSplit(threads: 2, minimum: 64) { ParallelKernels.fillRows(with: row, &out, rows: rows, columns: columns) }
            for r in 0..<rows { #expect(Array(out[(r * columns)..<((r + 1) * columns)]) == row, "row \(r)") }
        }
    }
}
