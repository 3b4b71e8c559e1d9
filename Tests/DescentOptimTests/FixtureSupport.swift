import Foundation
import Testing
@testable import DescentOptim
import DescentCore

/// Loads a JSON fixture written by scripts/fixtures/optimizers/generate.py (PyTorch).
/// `JSONDecoder` reads doubles exactly (Foundation's `JSONSerialization` on Linux rounds long numbers).
func loadFixture<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}

/// optimizers.json
struct OptimizerFixtures: Decodable {
    struct Group: Decodable { var names: [String]; var learningRate: Double?; var weightDecay: Double? }
    struct LeastSquaresTrajectory: Decodable { var weight: [[[Double]]]; var bias: [[Double]]; var u: [[Double]] }
    enum Path: Decodable {
        case points([[Double]]), leastSquares(LeastSquaresTrajectory)
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let points = try? container.decode([[Double]].self) { self = .points(points) } else {
                self = .leastSquares(try container.decode(LeastSquaresTrajectory.self))
            }
        }
    }
    struct Case: Decodable {
        var optimizer: String, spec: String, problem: String, precision: String, steps: Int
        var start: [Double]?
        var groups: [Group]?
        var trajectory: Path
    }
    struct LeastSquaresData: Decodable {
        var x: [Double], y: [Double], weight: [Double], bias: [Double], u: [Double], uTarget: [Double]
        var rows: Int, inputs: Int, outputs: Int
    }
    var leastSquares: LeastSquaresData
    var cases: [Case]
}

/// schedules.json
struct ScheduleFixtures: Decodable {
    struct Case: Decodable {
        var spec: String, initialLearningRate: Double, steps: Int, optimizer: String
        var learningRate: [Double]
        var momentum: [Double]?
        var metrics: [Double]?
    }
    var cases: [Case]
}

/// |a − b| ≤ tolerance·max(|a|, |b|), with an absolute floor for values that are zero in one library.
func isClose(_ a: Double, _ b: Double, relative tolerance: Double, absolute: Double = 1e-14) -> Bool {
    if a == b { return true }
    return Swift.abs(a - b) <= tolerance * Swift.max(Swift.abs(a), Swift.abs(b)) + absolute
}

/// The least-squares problem of the fixtures: loss = mean((X·Wᵀ + b − Y)²), plus ½‖u − c‖² on
/// steps that are multiples of 3 (otherwise `u` gets no gradient). The gradients are written as
/// plain loops in the same order as generate.py, so the fixtures test the optimizers alone.
struct LeastSquares {
    let x: [Double], y: [Double], rows: Int, inputs: Int, outputs: Int, uTarget: [Double]
    let weight: [Double], bias: [Double], u: [Double]

    init(_ data: OptimizerFixtures.LeastSquaresData) {
        x = data.x; y = data.y; uTarget = data.uTarget; rows = data.rows; inputs = data.inputs; outputs = data.outputs
        weight = data.weight; bias = data.bias; u = data.u
    }

    func gradients(weight W: [Double], bias b: [Double], u: [Double], step: Int) -> (weight: [Double], bias: [Double], u: [Double]?) {
        let (n, k, m) = (rows, inputs, outputs)
        var r = [Double](repeating: 0, count: n * m)
        for i in 0..<n {
            for o in 0..<m {
                var s = b[o]
                for j in 0..<k { s = s + x[i * k + j] * W[o * k + j] }
                r[i * m + o] = s - y[i * m + o]
            }
        }
        let scale = 2.0 / Double(n * m)
        var gW = [Double](repeating: 0, count: m * k), gb = [Double](repeating: 0, count: m)
        for o in 0..<m {
            for j in 0..<k {
                var s = 0.0
                for i in 0..<n { s = s + r[i * m + o] * x[i * k + j] }
                gW[o * k + j] = scale * s
            }
            var s = 0.0
            for i in 0..<n { s = s + r[i * m + o] }
            gb[o] = scale * s
        }
        let gu: [Double]? = step % 3 == 0 ? (0..<2).map { u[$0] - uTarget[$0] } : nil
        return (gW, gb, gu)
    }
}
