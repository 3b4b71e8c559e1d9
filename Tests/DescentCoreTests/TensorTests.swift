import Testing
@testable import DescentCore

/// Forward values of tensor operations against hand-computed or NumPy-documented results.
struct TensorTests {
    @Test func creatingFromUserDataThrowsOnBadShapes() {
        #expect(throws: TensorError.scalarCountMismatch(shape: [2, 2], expected: 4, got: 3)) {
            try Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3])
        }
        #expect(throws: (any Error).self) { try Tensor<Float>(rows: [[1, 2], [3]]) }
        #expect(throws: (any Error).self) { try Tensor<Float>(shape: [-1, 2], scalars: []) }
    }

    @Test func broadcastingFollowsNumPyRules() throws {
        #expect(Broadcasting.shape([3, 1, 5], [4, 1]) == [3, 4, 5])
        #expect(Broadcasting.shape([2, 3], [3]) == [2, 3])
        #expect(Broadcasting.shape([2, 3], [2]) == nil)
        #expect(throws: TensorError.shapeMismatch(operation: "add", lhs: [2, 3], rhs: [2])) {
            try Broadcasting.checkedShape([2, 3], [2], operation: "add")
        }
        let a = try Tensor<Double>(shape: [2, 1], scalars: [1, 2])
        let b = Tensor<Double>([10, 20, 30])
        #expect((a + b).scalars == [11, 21, 31, 12, 22, 32])
        #expect((a * b).shape == [2, 3])
    }

    @Test func reductionsAlongAxes() throws {
        let x = try Tensor<Double>(shape: [2, 3], scalars: [1, 5, 3, 4, 2, 6])
        #expect(x.sum().scalar == 21)
        #expect(x.sum(alongAxis: 0).scalars == [5, 7, 9])
        #expect(x.sum(alongAxis: 1, keepingDimension: true).shape == [2, 1])
        #expect(x.mean(alongAxis: 1).scalars == [3, 4])
        #expect(x.max(alongAxes: [1]).scalars == [5, 6])
        #expect(x.min(alongAxes: [0]).scalars == [1, 2, 3])
        #expect(x.argmax(alongAxis: 1) == [1, 2])
        #expect(x.argmin(alongAxis: 0) == [0, 1, 0])
        // torch.var([1,5,3]) = 4 (unbiased); population variance 8/3.
        #expect(Swift.abs(x.slice(alongAxis: 0, 0..<1).variance().scalar - 4) < 1e-12)
        #expect(Swift.abs(x.slice(alongAxis: 0, 0..<1).variance(correction: 0).scalar - 8.0 / 3) < 1e-12)
        // logsumexp of [1000, 1000] is 1000 + log 2, with no overflow.
        let big = Tensor<Double>([1000, 1000])
        #expect(Swift.abs(big.logSumExp().scalar - (1000 + 0.6931471805599453)) < 1e-9)
    }

    @Test func matmulMatchesHandComputedProducts() throws {
        let a = try Tensor<Float>(rows: [[1, 2, 3], [4, 5, 6]])
        let b = try Tensor<Float>(rows: [[7, 8], [9, 10], [11, 12]])
        #expect(a.matmul(b).scalars == [58, 64, 139, 154])
        let w = try Tensor<Float>(rows: [[1, 0, 1], [0, 1, 0]])
        #expect(Tensor.linear(a, weight: w, bias: Tensor([10, 20])).scalars == [14, 22, 20, 25])
        let batched = try Tensor.stack([a, a * 2])
        #expect(batched.matmul(b).shape == [2, 2, 2])
        #expect(batched.matmul(b).scalars == [58, 64, 139, 154, 116, 128, 278, 308])
    }

    @Test func shapingOperations() throws {
        let x = try Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(x.transposed().scalars == [1, 4, 2, 5, 3, 6])
        #expect(try x.reshaped(to: [3, -1]).shape == [3, 2])
        #expect(throws: (any Error).self) { try x.reshaped(to: [4, -1]) }
        #expect(x.slice(alongAxis: 1, 1..<3).scalars == [2, 3, 5, 6])
        #expect(try Tensor.concatenate([x, x], alongAxis: 1).shape == [2, 6])
        #expect(throws: (any Error).self) { try Tensor.concatenate([x, x.transposed()], alongAxis: 0) }
        #expect(try x.indexSelect([1, 1, 0]).scalars == [4, 5, 6, 4, 5, 6, 1, 2, 3])
        #expect(throws: TensorError.indexOutOfRange(operation: "indexSelect", index: 2, count: 2)) { try x.indexSelect([2]) }
        #expect(try x.pickingColumns([2, 0]).scalars == [3, 4])
        #expect(try Tensor<Float>.oneHot([2, 0], classCount: 3).scalars == [0, 0, 1, 1, 0, 0])
        #expect(throws: (any Error).self) { try Tensor<Float>.oneHot([3], classCount: 3) }
        let p = try Tensor<Double>(shape: [2, 3, 4], scalars: (0..<24).map(Double.init)).permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        #expect(p[1, 1, 2] == 21)  // input index [1, 2, 1]
    }

    @Test func elementwiseMathAndMasks() {
        let x = Tensor<Double>([-2, 0, 3])
        #expect(x.relu().scalars == [0, 0, 3])
        #expect(x.abs().scalars == [2, 0, 3])
        #expect(x.sign().scalars == [-1, 0, 1])
        #expect(x.clamped(lower: -1, upper: 1).scalars == [-1, 0, 1])
        #expect((x .> Tensor(0)).scalars == [0, 0, 1])
        #expect(x.replacing(with: Tensor(zeros: [3]), where: x .< 0).scalars == [0, 0, 3])
        #expect(Tensor<Double>([-1000, 1000]).sigmoid().scalars == [0, 1])
        #expect(Tensor<Double>([0]).exp().scalars == [1])
    }
}
