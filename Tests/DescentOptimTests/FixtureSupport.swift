import Foundation
import Testing
@testable import DescentOptim
import DescentCore

/// Loads a JSON fixture written by scripts/fixtures/optimizers/generate.py (PyTorch).
func loadFixture(_ name: String) throws -> [String: Any] {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    return try #require(object as? [String: Any])
}

func doubles(_ value: Any?) -> [Double] { (value as? [Any] ?? []).map { ($0 as! NSNumber).doubleValue } }
func rows(_ value: Any?) -> [[Double]] { (value as? [Any] ?? []).map { doubles($0) } }

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

    init(_ json: [String: Any]) {
        x = doubles(json["x"]); y = doubles(json["y"]); uTarget = doubles(json["uTarget"])
        rows = json["rows"] as! Int; inputs = json["inputs"] as! Int; outputs = json["outputs"] as! Int
        weight = doubles(json["weight"]); bias = doubles(json["bias"]); u = doubles(json["u"])
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
