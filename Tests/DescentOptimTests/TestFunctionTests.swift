import Testing
@testable import DescentOptim

@Suite struct TestFunctionTests {
    @Test func analyticGradientsMatchCentralDifferences() {
        let points: [[Double]] = [[-1.5, 2], [0.3, -0.7], [1.1, 0.45]]
        for function in TestFunction.allCases {
            for point in points {
                let p = Array(point.prefix(function.dimension))
                let g = function.gradient(p)
                for i in p.indices {
                    let h = 1e-6
                    var plus = p, minus = p
                    plus[i] += h; minus[i] -= h
                    let numeric = (function.value(plus) - function.value(minus)) / (2 * h)
                    #expect(Swift.abs(numeric - g[i]) <= 1e-6 * Swift.max(1, Swift.abs(g[i])), "\(function) ∂\(i) at \(p): \(g[i]) vs \(numeric)")
                }
            }
        }
    }

    @Test func minimaHaveTheDocumentedValues() {
        // training-semantics.md §8: quartic min −1675/256 at 9/4; the others 0 at their minima.
        #expect(TestFunction.quartic.value([2.25]) == -1675.0 / 256)
        for function in TestFunction.allCases where function != .quartic {
            for minimum in function.minima {
                #expect(Swift.abs(function.value(minimum)) < 1e-9, "\(function) at \(minimum)")
                #expect(function.gradient(minimum).allSatisfy { Swift.abs($0) < 1e-4 }, "\(function) gradient at \(minimum)")
            }
        }
    }

    @Test func worksInFloat() {
        #expect(TestFunction.rosenbrock.value([Float(1), 1]) == 0)
        #expect(TestFunction.rosenbrock.gradient([Float(-1.5), 2]) == [-155, -50])
    }

    @Test func divergenceStopsTheRunNamingTheStep() throws {
        let trajectory = try TestFunction.quartic.trajectory(optimizer: SGD<Double>(learningRate: 1), start: [6], steps: 50)
        let message = try #require(trajectory.divergence)
        #expect(message.contains("diverged at step \(trajectory.points.count)"))
        #expect(trajectory.points.allSatisfy { $0.loss.isFinite })
    }
}
