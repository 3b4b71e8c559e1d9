import Testing
@testable import DescentCore

/// Every differentiable op, checked against central differences in Double through the public
/// `GradientChecker`. Smooth ops must agree to 1e-7 relative; ops with kinks (relu, abs, max,
/// clamp, leakyReLU) are evaluated away from their kinks, where they are smooth too.
struct GradientCheckTests {
    /// Inputs well away from 0 and from each other, so no kink or tie lies within ±h.
    static func input(_ shape: [Int], seed: UInt64, lower: Double = -2, upper: Double = 2) -> Tensor<Double> {
        var generator = RandomGenerator(seed: seed)
        var t = Tensor<Double>.uniform(shape: shape, lower: lower, upper: upper, generator: &generator)
        t.withUnsafeMutableBufferPointer { b in
            for i in b.indices where Swift.abs(b[i]) < 0.05 { b[i] += b[i] < 0 ? -0.1 : 0.1 }
        }
        return t
    }

    /// A random weighting makes the checked scalar depend on every output element differently.
    static func weighted(_ y: Tensor<Double>, seed: UInt64 = 99) -> Tensor<Double> {
        var generator = RandomGenerator(seed: seed)
        let w = Tensor<Double>.uniform(shape: y.shape, lower: 0.5, upper: 1.5, generator: &generator)
        return (y * w).sum()
    }

    static func expectGradient(
        _ shapes: [[Int]], tolerance: Double = 1e-7, lower: Double = -2, upper: Double = 2,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ f: ([Tensor<Double>]) -> Tensor<Double>
    ) throws {
        let parameters = shapes.enumerated().map { (name: "p\($0.offset)", value: input($0.element, seed: UInt64($0.offset + 1), lower: lower, upper: upper)) }
        let results = try GradientChecker.check(parameters) { weighted(f($0)) }
        for r in results {
            #expect(r.maxRelativeError < tolerance, "\(r.name) \(r.shape): max relative error \(r.maxRelativeError)", sourceLocation: sourceLocation)
            #expect(r.analytic.contains { $0 != 0 }, "\(r.name): gradient is all zero", sourceLocation: sourceLocation)
        }
    }

    @Test func seedExampleQuarticAtMinusOnePointFive() throws {
        // L(w) = w⁴ − 3w³ + 2, L'(w) = 4w³ − 9w² = −13.5 − 20.25 = −33.75 at w = −1.5 (issue 2).
        let results = try GradientChecker.check([(name: "w", value: Tensor<Double>([-1.5]))]) { p in
            (p[0].pow(4) - 3 * p[0].pow(3) + 2).sum()
        }
        #expect(Swift.abs(results[0].analytic[0] - (-33.75)) < 1e-12)
        #expect(Swift.abs(results[0].numeric[0] - (-33.75)) < 1e-6)
        #expect(results[0].maxRelativeError < 1e-9)
    }

    @Test func arithmeticWithBroadcasting() throws {
        try Self.expectGradient([[3, 4], [4]]) { $0[0] + $0[1] }
        try Self.expectGradient([[3, 1], [1, 4]]) { $0[0] - $0[1] }
        try Self.expectGradient([[2, 3, 4], [3, 1]]) { $0[0] * $0[1] }
        try Self.expectGradient([[3, 4], [3, 4]], lower: 0.5, upper: 2) { $0[0] / $0[1] }
        try Self.expectGradient([[3, 4]]) { 2.5 * $0[0] - 1 }
        try Self.expectGradient([[3, 4]], lower: 0.5, upper: 2) { 1 / $0[0] }
        try Self.expectGradient([[3, 4]]) { -$0[0] }
    }

    @Test func elementwiseMath() throws {
        try Self.expectGradient([[5, 3]]) { $0[0].exp() }
        try Self.expectGradient([[5, 3]], lower: 0.2, upper: 3) { $0[0].log() }
        try Self.expectGradient([[5, 3]], lower: -0.5, upper: 3) { $0[0].log1p() }
        try Self.expectGradient([[5, 3]], lower: 0.2, upper: 3) { $0[0].squareRoot() }
        try Self.expectGradient([[5, 3]]) { $0[0].sigmoid() }
        try Self.expectGradient([[5, 3]]) { $0[0].tanh() }
        try Self.expectGradient([[5, 3]]) { $0[0].gelu() }
        try Self.expectGradient([[5, 3]]) { $0[0].squared() }
        try Self.expectGradient([[5, 3]], lower: 0.3, upper: 2) { $0[0].reciprocal() }
        try Self.expectGradient([[5, 3]], lower: 0.3, upper: 2) { $0[0].pow(2.7) }
        try Self.expectGradient([[5, 3]], lower: 0.3, upper: 2) { $0[0].scaled(by: -1.5) }
        try Self.expectGradient([[4], [4]], lower: 0.5, upper: 2) { $0[0].pow($0[1]) }
    }

    @Test func opsWithKinksAwayFromTheKink() throws {
        // Inputs avoid |x| < 0.05, so relu/abs/leakyReLU/clamp are smooth within ±h.
        try Self.expectGradient([[6, 2]], tolerance: 1e-4) { $0[0].relu() }
        try Self.expectGradient([[6, 2]], tolerance: 1e-4) { $0[0].abs() }
        try Self.expectGradient([[6, 2]], tolerance: 1e-4) { $0[0].leakyReLU(negativeSlope: 0.1) }
        try Self.expectGradient([[6, 2]], tolerance: 1e-4) { $0[0].clamped(lower: -1.01, upper: 1.03) }
        try Self.expectGradient([[3, 4], [3, 4]], tolerance: 1e-4) { Tensor.maximum($0[0], $0[1]) }
        try Self.expectGradient([[3, 4], [4]], tolerance: 1e-4) { Tensor.minimum($0[0], $0[1]) }
    }

    @Test func reductions() throws {
        try Self.expectGradient([[3, 4, 5]]) { $0[0].sum(alongAxes: [0, 2]) }
        try Self.expectGradient([[3, 4, 5]]) { $0[0].sum(alongAxis: 1, keepingDimension: true) }
        try Self.expectGradient([[3, 4]]) { $0[0].mean() }
        try Self.expectGradient([[3, 4]]) { $0[0].mean(alongAxis: 0) }
        try Self.expectGradient([[3, 4]], tolerance: 1e-4) { $0[0].max(alongAxes: [1]) }
        try Self.expectGradient([[3, 4]], tolerance: 1e-4) { $0[0].min() }
        try Self.expectGradient([[3, 4]]) { $0[0].logSumExp(alongAxes: [1]) }
        try Self.expectGradient([[3, 4]]) { $0[0].variance(alongAxes: [0]) }
        try Self.expectGradient([[3, 4]]) { $0[0].variance(correction: 0) }
        try Self.expectGradient([[3, 4]]) { $0[0].softmax(alongAxis: 1) }
        try Self.expectGradient([[3, 4]]) { $0[0].logSoftmax(alongAxis: 0) }
    }

    /// Positive inputs: with mixed signs some gradient components nearly cancel to ~1e-4, where the
    /// central difference's absolute rounding error (~1e-10) alone is a relative error of 1e-7.
    @Test func matrixProducts() throws {
        try Self.expectGradient([[3, 4], [4, 5]], lower: 0.1) { $0[0].matmul($0[1]) }
        try Self.expectGradient([[2, 3, 4], [2, 4, 5]], lower: 0.1) { $0[0].matmul($0[1]) }
        try Self.expectGradient([[2, 3, 4], [4, 5]], lower: 0.1) { $0[0].matmul($0[1]) }
        try Self.expectGradient([[3, 4], [2, 4, 5]], lower: 0.1) { $0[0].matmul($0[1]) }
        try Self.expectGradient([[6, 4], [3, 4], [3]], lower: 0.1) { Tensor.linear($0[0], weight: $0[1], bias: $0[2]) }
        try Self.expectGradient([[2, 6, 4], [3, 4]], lower: 0.1) { Tensor.linear($0[0], weight: $0[1], bias: nil) }
    }

    @Test func shapingAndIndexing() throws {
        try Self.expectGradient([[3, 4]]) { try! $0[0].reshaped(to: [2, -1]) }
        try Self.expectGradient([[2, 3, 4]]) { $0[0].permuted([2, 0, 1]) }
        try Self.expectGradient([[3, 4]]) { $0[0].transposed() }
        try Self.expectGradient([[3, 5]]) { $0[0].slice(alongAxis: 1, 1..<4) }
        try Self.expectGradient([[2, 3], [4, 3]]) { try! Tensor.concatenate([$0[0], $0[1]], alongAxis: 0) }
        try Self.expectGradient([[2, 3], [2, 3]]) { try! Tensor.stack([$0[0], $0[1]], alongAxis: 1) }
        try Self.expectGradient([[4, 3]]) { try! $0[0].indexSelect([3, 0, 3, 1], alongAxis: 0) }
        try Self.expectGradient([[4, 3]]) { try! $0[0].pickingColumns([2, 0, 1, 2]) }
        try Self.expectGradient([[2, 3]]) { $0[0].flattened().expandingShape(at: 0).squeezingShape() }
        try Self.expectGradient([[3, 4], [3, 4]]) { $0[0].replacing(with: $0[1], where: $0[0] .> 0) }
    }

    @Test func compositeExpression() throws {
        // A small two-layer network with a cross-entropy-like loss, end to end.
        try Self.expectGradient([[5, 4], [3, 4], [3], [2, 3], [2]]) { p in
            let hidden = Tensor.linear(p[0], weight: p[1], bias: p[2]).tanh()
            let logits = Tensor.linear(hidden, weight: p[3], bias: p[4])
            return -(logits.logSoftmax(alongAxis: 1)).mean(alongAxis: 1)
        }
    }
}
