import Testing
@testable import DescentCore

/// `Tensor.fusedOperation`: a hand-written backward takes part in autodiff like a built-in op.
@Suite struct FusedOperationTests {
    /// f(x) = Σ xᵢ³ with backward 3x²·upstream, composed with built-in ops on both sides.
    func cubeSum(_ x: Tensor<Double>) -> Tensor<Double> {
        let value = Tensor(x.scalars.map { $0 * $0 * $0 }.reduce(0, +))
        return Tensor.fusedOperation(value: value, inputs: [x]) { upstream in [upstream * 3 * x.detached().squared()] }
    }

    @Test func fusedBackwardMatchesCentralDifferencesInDouble() throws {
        let x = try Tensor<Double>(rows: [[0.5, -1.2], [2.0, 0.3]])
        let results = try GradientChecker.check([(name: "x", value: x)]) { p in (cubeSum(p[0].tanh() * 2) + 1).log() }
        #expect(results[0].maxRelativeError < 1e-7)
    }

    @Test func fusedResultIsNotRecordedWithoutGradients() {
        let x = Tensor<Double>([1, 2]).requiringGradient()
        #expect(cubeSum(x).requiresGradient)
        #expect(!withoutGradients { cubeSum(x) }.requiresGradient)
        #expect(!cubeSum(Tensor([1, 2])).requiresGradient)
    }
}
