import Testing

@testable import DescentKernels

/// RowGather: the rows it copies are the rows asked for, in order, whatever the row size (below,
/// at and above the prefetch distance and the per-row prefetch limit) and with repeated indices.
extension KernelTests {
    @Suite
    struct RowGatherTests {
        @Test(arguments: [1, 3, 16, 784, 1500, 5000])
        func copiesTheRequestedRowsInOrder(width: Int) {
            checkGather(width: width)
        }

        /// The same with every gather split across two threads (ragged parts, and more parts
        /// than rows for the one-row case below).
        @Test(arguments: [3, 784, 5000])
        func splitGatherCopiesTheSameRows(width: Int) {
            // On this thread only: tests of other modules run meanwhile.
            GEMM.withMaximumThreadCount(2) {
                ThreadSetting.gatherMinimumBytes.with(0) {
                    checkGather(width: width)
                    checkGather(width: width, indices: [4])
                }
            }
        }

        func checkGather(width: Int, indices chosen: [Int]? = nil) {
            let rows = 97
            let source = (0..<(rows * width)).map { Float($0) * 0.5 - 3 }
            // Scattered, repeated and boundary rows.
            let indices = chosen ?? (0..<150).map { ($0 * 37 + 11) % rows } + [0, rows - 1, 5, 5]
            var destination = [Float](repeating: .nan, count: indices.count * width)
            source.withUnsafeBytes { source in
                indices.withUnsafeBufferPointer { indices in
                    destination.withUnsafeMutableBytes { destination in
                        RowGather.copyRows(from: source.baseAddress!, rowBytes: width * 4, indices: indices,
                                           to: destination.baseAddress!)
                    }
                }
            }
            for (position, index) in indices.enumerated() {
                #expect(Array(destination[(position * width)..<((position + 1) * width)])
                        == Array(source[(index * width)..<((index + 1) * width)]), "row \(position) (source row \(index))")
            }
        }

        @Test func noRowsWritesNothing() {
            let source: [Double] = [1, 2, 3]
            var destination: [Double] = [9]
            source.withUnsafeBytes { source in
                [Int]().withUnsafeBufferPointer { indices in
                    destination.withUnsafeMutableBytes { destination in
                        RowGather.copyRows(from: source.baseAddress!, rowBytes: 8, indices: indices, to: destination.baseAddress!)
                    }
                }
            }
            #expect(destination == [9])
        }
    }
}
