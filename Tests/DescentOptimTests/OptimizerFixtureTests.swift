import Foundation
import Testing
@testable import DescentOptim
import DescentCore

/// Every optimizer and option combination against PyTorch trajectories (fixtures from
/// scripts/fixtures/optimizers/generate.py, torch single-tensor CPU path): within 1e-10 relative
/// in double precision, 1e-5 in single precision.
@Suite struct OptimizerFixtureTests {
    let fixture: OptimizerFixtures
    init() throws { fixture = try loadFixture("optimizers", as: OptimizerFixtures.self) }

    @Test func fixturesCoverEveryOptimizerOnEveryProblem() {
        let covered = Set(fixture.cases.map { "\($0.optimizer)/\($0.problem)" })
        for name in OptimizerFactory.names {
            #expect(covered.contains("\(name)/leastsquares"), "no least-squares fixture for \(name)")
            #expect(covered.contains("\(name)/rosenbrock"), "no Rosenbrock fixture for \(name)")
        }
    }

    @Test func optimizersMatchPyTorchOnRosenbrockAndQuartic() throws {
        var checked = 0
        for fixture in fixture.cases {
            guard case .points(let expected) = fixture.trajectory else { continue }
            let function = try #require(TestFunction(rawValue: fixture.problem))
            let start = try #require(fixture.start)
            let points: [[Double]]
            let tolerance: Double
            if fixture.precision == "float" {
                let trajectory = try function.trajectory(optimizer: makeOptimizer(spec: fixture.spec, as: Float.self), start: start, steps: fixture.steps)
                points = trajectory.points.map(\.parameters); tolerance = 1e-5
            } else {
                let trajectory = try function.trajectory(optimizer: makeOptimizer(spec: fixture.spec, as: Double.self), start: start, steps: fixture.steps)
                points = trajectory.points.map(\.parameters); tolerance = 1e-10
            }
            try #require(points.count == expected.count, "\(fixture.spec): \(points.count) points, expected \(expected.count)")
            for (k, (got, want)) in zip(points, expected).enumerated() {
                for (a, b) in zip(got, want) {
                    #expect(isClose(a, b, relative: tolerance, absolute: tolerance * 1e-4),
                            "\(fixture.spec) on \(function) (\(fixture.precision)), step \(k): \(got) vs PyTorch \(want)")
                }
            }
            checked += 1
        }
        #expect(checked >= 35)
    }

    @Test func optimizersMatchPyTorchOnLeastSquaresWithGroupsAndMissingGradients() throws {
        let problem = LeastSquares(fixture.leastSquares)
        var checked = 0
        for fixture in fixture.cases {
            guard case .leastSquares(let expected) = fixture.trajectory else { continue }
            let optimizer = try makeOptimizer(spec: fixture.spec, as: Double.self)
            for group in fixture.groups ?? [] {
                try optimizer.addGroup(names: group.names, learningRate: group.learningRate, weightDecay: group.weightDecay)
            }
            // Through the Parameter layer: `u` has a nil gradient on two steps out of three.
            let weight = Parameter(try Tensor(shape: [problem.outputs, problem.inputs], scalars: problem.weight))
            let bias = Parameter(Tensor(problem.bias))
            let u = Parameter(Tensor(problem.u))
            for step in 0..<fixture.steps {
                let g = problem.gradients(weight: weight.value.scalars, bias: bias.value.scalars, u: u.value.scalars, step: step)
                weight.gradient = try Tensor(shape: weight.shape, scalars: g.weight)
                bias.gradient = Tensor(g.bias)
                u.gradient = g.u.map { Tensor($0) }
                try optimizer.step([("weight", weight), ("bias", bias), ("u", u)])
                for (name, got, want) in [("weight", weight.value.scalars, expected.weight[step + 1].flatMap { $0 }),
                                          ("bias", bias.value.scalars, expected.bias[step + 1]),
                                          ("u", u.value.scalars, expected.u[step + 1])] {
                    for (a, b) in zip(got, want) {
                        #expect(isClose(a, b, relative: 1e-10), "\(fixture.spec) least squares, step \(step + 1), \(name): \(got) vs PyTorch \(want)")
                    }
                }
            }
            // `u` had a gradient on steps 0, 3, 6, 9: its step count must say 4, like PyTorch's state["step"].
            #expect(optimizer.stateSnapshot().parameters["u"]?.step == 4)
            #expect(optimizer.stateSnapshot().parameters["weight"]?.step == 12)
            checked += 1
        }
        #expect(checked >= 30)
    }
}
