#if canImport(_Differentiation)
import _Differentiation
import DescentOptim
import Testing

/// Rosenbrock written as an ordinary Swift function that Swift differentiates itself.
@differentiable(reverse)
func rosenbrockFunction(_ p: [Double]) -> Double {
    let x = p[0], y = p[1]
    return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
}

struct DifferentiableMinimizationTests {
    /// The same optimizer driven by Swift's `@differentiable` gradient and by the test function's
    /// hand-written gradient takes the same path (the gradients agree to rounding; the reference is
    /// `TestFunction.rosenbrock`, whose trajectories match PyTorch's fixtures).
    @Test func adamOnADifferentiableFunctionFollowsTheTensorPath() throws {
        let path = try minimize(rosenbrockFunction, from: [-1.5, 2], optimizer: try Adam<Double>(learningRate: 0.01), steps: 50)
        let reference = try TestFunction.rosenbrock.trajectory(optimizer: try Adam<Double>(learningRate: 0.01), start: [-1.5, 2], steps: 50)
        #expect(path.count == 51 && reference.points.count == 51)
        for (mine, theirs) in zip(path, reference.points) {
            for (a, b) in zip(mine.parameters, theirs.parameters) { #expect(Swift.abs(a - b) <= 1e-12 * Swift.max(1, Swift.abs(b))) }
            #expect(Swift.abs(mine.value - theirs.loss) <= 1e-10 * Swift.max(1, Swift.abs(theirs.loss)))
        }
        #expect(path.last!.value < path.first!.value)
    }

    @Test func seedExampleOneStep() throws {
        // L(w) = w⁴ − 3w³ + 2 from w = −1.5 with plain SGD, learning rate 0.001: −1.5 + 0.001·33.75 = −1.46625.
        let quartic: @differentiable(reverse) ([Double]) -> Double = { p in p[0] * p[0] * p[0] * p[0] - 3 * p[0] * p[0] * p[0] + 2 }
        let path = try minimize(quartic, from: [-1.5], optimizer: try SGD<Double>(learningRate: 0.001), steps: 1)
        #expect(path[0].gradient == [-33.75])
        #expect(Swift.abs(path[1].parameters[0] - (-1.46625)) < 1e-15)
    }
}
#endif
